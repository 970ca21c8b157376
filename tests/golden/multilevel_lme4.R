# Golden values for resilience_stats.regression.multilevel (rs.multilevel, rs.null_model_icc, rs.deviance_test,
# marginal / conditional R^2) from lme4::lmer, REML and ML.
#
# Data: ../data/sleepstudy.csv (lme4::sleepstudy, exported bit for bit by this script) and
# ../data/multilevel_communities.csv (residents in 40 communities, written once from Python by
# make_multilevel_communities() in tests/test_regression_multilevel.py; this script only reads it).
#
# Centring is written out here as rs.multilevel does it, on the cases the model uses:
#   group-mean centring  x_cwc = x - ave(x, community); cluster means x_mean = ave(x, community);
#   grand-mean centring  x_gmc = x - mean(x).
#
# Optimizer: lme4's default nloptwrap stops while the (RE)ML criterion is flat to ~1e-12 but the variance
# components still move in the 5th significant digit (sleepstudy: intercept variance 612.1002 by default,
# 612.0899 at a tight optimum). Every fit therefore uses tight tolerances (CTRL below); the default-control
# values are stored too (`default_control`) to show the spread.
#
# R^2 (Nakagawa & Schielzeth 2013; random slopes: Johnson 2014, Nakagawa et al. 2017) is computed by its explicit
# formula from lme4's variance components, as MuMIn::r.squaredGLMM / performance::r2_nakagawa do (neither is
# installed here): var_fixed = var(X %*% fixef) (n - 1 denominator); var_random = sum over grouping factors of
# mean(diag(Z_g Sigma_g Z_g')), with Z_g the columns of the fixed-effects model matrix named by the random terms;
# var_residual = sigma^2; marginal = vf / (vf + vr + ve), conditional = (vf + vr) / (vf + vr + ve).
#
# Run: cd tests/golden && Rscript multilevel_lme4.R     -> multilevel_lme4.json, ../data/sleepstudy.csv

suppressPackageStartupMessages({
  library(lme4)
})
source("_golden_helpers.R")

CTRL_STR <- paste0('lmerControl(optimizer = "nloptwrap", optCtrl = list(xtol_rel = 1e-14, ftol_rel = 1e-16, ',
                   'ftol_abs = 1e-16, xtol_abs = 1e-14, maxeval = 1e5))')
CTRL <- eval(parse(text = CTRL_STR))

# ------------------------------------------------------------------------------------------------ data
if (!file.exists("../data/sleepstudy.csv")) write_csv_exact(lme4::sleepstudy, "../data/sleepstudy.csv")
sleep <- read.csv("../data/sleepstudy.csv")
stopifnot(isTRUE(all.equal(sleep$Reaction, lme4::sleepstudy$Reaction, tolerance = 0)),
          identical(as.integer(sleep$Days), as.integer(lme4::sleepstudy$Days)),
          identical(as.character(sleep$Subject), as.character(lme4::sleepstudy$Subject)))
sleep$Subject <- factor(sleep$Subject)

comm <- read.csv("../data/multilevel_communities.csv")
add_centred <- function(d) {
  d$NET_cwc <- d$NET - ave(d$NET, d$community)
  d$PBL_mean <- ave(d$PBL, d$community)
  d$NORM_gmc <- d$NORM - mean(d$NORM)
  d
}
cc <- add_centred(comm)

# listwise case: NORM missing in every 9th row; centring and cluster means on the complete cases
miss <- comm
miss$NORM[seq(9, nrow(miss), by = 9)] <- NA
miss_cc <- add_centred(miss[complete.cases(miss[, c("RES", "NET", "NORM", "PBL")]), ])

# singleton case: community C05 keeps only its first resident
first_c05 <- which(comm$community == "C05")[1]
single <- add_centred(comm[comm$community != "C05" | seq_len(nrow(comm)) == first_c05, ])

# singular case: the outcome centred within communities has no between-community variance (lme4: exactly 0)
cc$RES_cwc <- cc$RES - ave(cc$RES, cc$community)

# ------------------------------------------------------------------------------------------------ helpers
r2_explicit <- function(m) {
  X <- getME(m, "X")
  vf <- var(as.vector(X %*% fixef(m)))
  vc <- VarCorr(m)
  vr <- sum(vapply(vc, function(S) {
    Zg <- X[, rownames(S), drop = FALSE]
    mean(rowSums((Zg %*% S) * Zg))
  }, numeric(1)))
  ve <- sigma(m)^2
  tot <- vf + vr + ve
  c(var_fixed = vf, var_random = vr, var_residual = ve, marginal = vf / tot, conditional = (vf + vr) / tot)
}

fit_record <- function(m, call_str) {
  ll <- logLik(m)
  vc <- as.data.frame(VarCorr(m))
  re <- ranef(m)[[1]]
  list(
    call = call_str,
    reml = isREML(m),
    nobs = nobs(m),
    ngrps = unname(ngrps(m)),
    fixef_names = I(names(fixef(m))),
    fixef = unname(fixef(m)),
    se = unname(sqrt(diag(as.matrix(vcov(m))))),
    vcov = unname(as.matrix(vcov(m))),
    varcorr = vc,
    sigma = sigma(m),
    loglik = as.numeric(ll),
    npar = attr(ll, "df"),
    aic = AIC(m),
    bic = BIC(m),
    deviance = -2 * as.numeric(ll),
    reml_crit = if (isREML(m)) REMLcrit(m) else NA,
    singular = isSingular(m),
    theta = unname(getME(m, "theta")),
    ranef = list(cluster = I(rownames(re)), names = I(colnames(re)), values = unname(as.matrix(re))),
    r2 = r2_explicit(m),
    optinfo = list(optimizer = m@optinfo$optimizer, feval = m@optinfo$feval,
                   messages = I(as.character(unlist(m@optinfo$conv$lme4$messages))))
  )
}

FITS <- list()
CALLS <- list()
fit <- function(name, call_str) {
  m <- run(call_str)
  FITS[[name]] <<- m
  CALLS[[name]] <<- call_str
  fit_record(m, call_str)
}

# ------------------------------------------------------------------------------------------------ fits
out <- list(meta = meta_info(), control = CTRL_STR, models = list())
out$meta$lme4_version <- pkg_version("lme4")
out$meta$matrix_version <- pkg_version("Matrix")

specs <- list(
  sleep_null = "lmer(Reaction ~ 1 + (1 | Subject), data = sleep, REML = %s, control = CTRL)",
  sleep_ri = "lmer(Reaction ~ Days + (1 | Subject), data = sleep, REML = %s, control = CTRL)",
  sleep_rs = "lmer(Reaction ~ Days + (1 + Days | Subject), data = sleep, REML = %s, control = CTRL)",
  comm_null = "lmer(RES ~ 1 + (1 | community), data = cc, REML = %s, control = CTRL)",
  comm_ri = "lmer(RES ~ NET_cwc + NORM + PBL_mean + (1 | community), data = cc, REML = %s, control = CTRL)",
  comm_full_ri = paste0("lmer(RES ~ NET_cwc + NORM_gmc + PBL_mean + urban + NET_cwc:PBL_mean + (1 | community), ",
                        "data = cc, REML = %s, control = CTRL)"),
  comm_rs = paste0("lmer(RES ~ NET_cwc + NORM_gmc + PBL_mean + urban + NET_cwc:PBL_mean + (1 + NET_cwc | community), ",
                   "data = cc, REML = %s, control = CTRL)"),
  comm_missing = "lmer(RES ~ NET_cwc + NORM + PBL_mean + (1 | community), data = miss_cc, REML = %s, control = CTRL)",
  comm_singleton = "lmer(RES ~ NET_cwc + NORM + PBL_mean + (1 | community), data = single, REML = %s, control = CTRL)",
  comm_singular = "lmer(RES_cwc ~ NET + NORM + (1 | community), data = cc, REML = %s, control = CTRL)",
  # singular random-slope fits (statsmodels stops unconverged or inside; the bounded finish reaches the boundary)
  comm_singular_rs = "lmer(RES_cwc ~ NET + (1 + NET | community), data = cc, REML = %s, control = CTRL)",
  comm_singular_slope = "lmer(RES ~ NORM + (1 + NORM | community), data = cc, REML = %s, control = CTRL)"
)
for (name in names(specs)) {
  out$models[[paste0(name, "_reml")]] <- fit(paste0(name, "_reml"), sprintf(specs[[name]], "TRUE"))
  out$models[[paste0(name, "_ml")]] <- fit(paste0(name, "_ml"), sprintf(specs[[name]], "FALSE"))
}

# default-control fits (for the record: how far lme4's own default stopping point is from the tight optimum)
out$default_control <- list(
  sleep_rs_reml = fit_record(lmer(Reaction ~ Days + (1 + Days | Subject), data = sleep),
                             "lmer(Reaction ~ Days + (1 + Days | Subject), data = sleep)"),
  comm_rs_reml = fit_record(lmer(RES ~ NET_cwc + NORM_gmc + PBL_mean + urban + NET_cwc:PBL_mean +
                                   (1 + NET_cwc | community), data = cc),
                            "lmer(RES ~ NET_cwc + NORM_gmc + PBL_mean + urban + NET_cwc:PBL_mean + (1 + NET_cwc | community), data = cc)")
)

# ------------------------------------------------------------------------------------------------ ICC
icc_record <- function(m) {
  vc <- as.data.frame(VarCorr(m))
  tau <- vc$vcov[1]; s2 <- vc$vcov[2]
  icc <- tau / (tau + s2)
  msize <- nobs(m) / ngrps(m)[[1]]
  list(between = tau, within = s2, icc = icc, mean_cluster_size = unname(msize),
       design_effect = unname(1 + (msize - 1) * icc))
}
out$icc <- list(sleep_reml = icc_record(FITS$sleep_null_reml), sleep_ml = icc_record(FITS$sleep_null_ml),
                comm_reml = icc_record(FITS$comm_null_reml), comm_ml = icc_record(FITS$comm_null_ml))

# ------------------------------------------------------------------------------------------------ deviance tests
anova_record <- function(call_str) {
  a <- suppressMessages(run(call_str))
  df <- as.data.frame(a)
  list(call = call_str, models = I(rownames(df)), npar = df$npar, aic = df$AIC, bic = df$BIC,
       loglik = df$logLik, deviance = df$deviance, chisq = df$Chisq, df = df$Df, p = df[["Pr(>Chisq)"]])
}
attach_fits <- function() for (nm in names(FITS)) assign(nm, FITS[[nm]], envir = globalenv())
attach_fits()
out$anova <- list(
  # fixed effects differ: lme4 refits the REML fits with ML (refit = TRUE, its default)
  sleep_null_vs_ri = anova_record("anova(sleep_null_reml, sleep_ri_reml)"),
  comm_null_ri_rs = anova_record("anova(comm_null_reml, comm_ri_reml, comm_rs_reml)"),
  # same fixed effects, random part differs: REML likelihoods compared as fitted
  sleep_ri_vs_rs_reml = anova_record("anova(sleep_ri_reml, sleep_rs_reml, refit = FALSE)"),
  comm_ri_vs_rs_reml = anova_record("anova(comm_full_ri_reml, comm_rs_reml, refit = FALSE)"),
  # the same pair refitted with ML (as lme4's default does)
  comm_ri_vs_rs_ml = anova_record("anova(comm_full_ri_reml, comm_rs_reml)")
)
out$calls <- list(models = CALLS, icc = "tau00 / (tau00 + sigma2) of the null model; design effect 1 + (N/J - 1) ICC",
                  r2 = "r2_explicit() above")
out$n_rows <- list(sleep = nrow(sleep), comm = nrow(cc), miss = nrow(miss_cc), single = nrow(single))

write_golden(out, "multilevel_lme4.json")
