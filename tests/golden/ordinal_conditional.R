# Golden reference values for lavaan's sample statistics of ORDINAL indicators WITH EXOGENOUS COVARIATES
# (conditional.x = TRUE, lavaan's default when a WLSMV model has observed exogenous x's): probit / OLS
# regressions of every endogenous observed variable on the x's (step 1), residual polychoric / polyserial /
# Pearson correlations (step 2), NACOV (Gamma), the DWLS weights and the wls.obs vector; plus the fitted
# models' parameterEstimates and fitMeasures (for the estimator).
# Used by tests/test_psychometrics_ordinal_conditional.py.
# Run:    cd tests/golden && Rscript ordinal_conditional.R
# Writes: tests/golden/ordinal_conditional.json
#         tests/data/survey_ordinal_x.csv  (written once: when the file exists it is read as it is)
# Reads:  tests/data/survey_ordinal.csv
#
# What is stored per case (lavaan 0.6-14):
#   sampstat   = lavInspect(fit, "sampstat")        (res.cov, res.int, res.th, res.slopes, cov.x, mean.x)
#   res_var    = fit@SampleStats@res.var[[1]]       (1 for ordinal, the residual variance for continuous)
#   wls_obs    = lavInspect(fit, "wls.obs")         (named like the rows of gamma)
#   wls_v_diag = diag(lavInspect(fit, "wls.v"))
#   gamma      = lavInspect(fit, "gamma")           (NACOV, scaled by N; rounded to 12 significant digits)
#   ov_nox / ov_x = lavNames(fit, "ov.nox") / lavNames(fit, "ov.x")  (the endogenous and exogenous order)
#   plus fit_summary(): parameterEstimates(standardized = TRUE), fitMeasures(), fmin, options.

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(lavaan)
})
data_dir <- file.path("..", "data")
calls <- character(0)
seed <- 20240613L

# ------------------------------------------------------------------------------------------ data ----
# The 16 five-point items of survey_ordinal.csv (n = 800) plus two covariates made to correlate with the
# responses: age (continuous, standardized, 4 decimals) from the network and stability sum scores, female
# (0/1) from the trust and norm sum scores.
x_path <- file.path(data_dir, "survey_ordinal_x.csv")
if (!file.exists(x_path)) {
  surv <- read.csv(file.path(data_dir, "survey_ordinal.csv"))
  items <- surv[, c(paste0("net", 1:4), paste0("norm", 1:4), paste0("trust", 1:4), paste0("stab", 1:4))]
  set.seed(seed)
  n <- nrow(items)
  z <- function(v) as.numeric(scale(v))
  sum_of <- function(stem) z(rowSums(items[, paste0(stem, 1:4)]))
  age <- round(z(0.35 * sum_of("net") + 0.2 * sum_of("stab") + rnorm(n, sd = 0.9)), 4)
  female <- rbinom(n, 1L, plogis(-0.1 + 0.6 * sum_of("trust") - 0.3 * sum_of("norm")))
  write_csv_exact(data.frame(items, age = age, female = female), x_path)
} else {
  message("using the existing ", x_path)
}
d <- read.csv(x_path)

# a copy with missing values (listwise deletion; rows are 1-based)
na_rows <- list(norm2 = c(5L, 17L, 230L), female = c(40L, 41L), stab4 = c(17L, 600L))
d_na <- d
for (v in names(na_rows)) d_na[na_rows[[v]], v] <- NA

case_summary <- function(fit, call_str, data_name) {
  ss <- lavInspect(fit, "sampstat")
  G <- unclass(lavInspect(fit, "gamma"))
  W <- unclass(lavInspect(fit, "wls.v"))
  stopifnot(max(abs(W[row(W) != col(W)])) == 0)          # DWLS: diagonal weight matrix
  stopifnot(isTRUE(all.equal(diag(W), 1 / diag(G))))      # WLS.V = diag(Gamma)^-1
  stopifnot(isTRUE(lavInspect(fit, "options")$conditional.x))
  wobs <- lavInspect(fit, "wls.obs")
  stopifnot(identical(names(wobs), rownames(G)))
  fit_summary(fit, call_str, list(
    data = data_name,
    conditional_x = lavInspect(fit, "options")$conditional.x,
    ov_nox = I(lavNames(fit, "ov.nox")),
    ov_x = I(lavNames(fit, "ov.x")),
    ov_ord = I(lavNames(fit, "ov.ord")),
    res_th = setNames(as.double(ss$res.th), names(ss$res.th)),
    res_int = setNames(as.double(ss$res.int), names(ss$res.int)),
    res_var = setNames(as.double(fit@SampleStats@res.var[[1]]), lavNames(fit, "ov.nox")),
    res_slopes = unclass(ss$res.slopes),
    res_cov = unclass(ss$res.cov),
    mean_x = setNames(as.double(ss$mean.x), names(ss$mean.x)),
    cov_x = unclass(ss$cov.x),
    wls_obs = setNames(as.double(wobs), names(wobs)),
    wls_v_diag = setNames(diag(W), rownames(G)),
    gamma = signif(G, 12)))
}

# --------------------------------------------------------------------------------------- models ----
models <- list(
  two_x = 'NET =~ net1 + net2 + net3 + net4
           TRUST =~ trust1 + trust2 + trust3 + trust4
           NET ~ age + female
           TRUST ~ NET + age',
  one_x = 'NORM =~ norm1 + norm2 + norm3 + norm4
           STAB =~ stab1 + stab2 + stab3 + stab4
           NORM ~ female
           STAB ~ NORM + female')
ord_net_trust <- c(paste0("net", 1:4), paste0("trust", 1:4))
ord_mixed <- c(paste0("net", 2:4), paste0("trust", 2:4))     # net1 and trust1 continuous
ord_norm_stab <- c(paste0("norm", 1:4), paste0("stab", 1:4))

cases <- list(
  two_x = list(call = 'sem(models$two_x, data = d, ordered = ord_net_trust, estimator = "WLSMV")',
               data = "survey_ordinal_x.csv"),
  mixed = list(call = 'sem(models$two_x, data = d, ordered = ord_mixed, estimator = "WLSMV")',
               data = "survey_ordinal_x.csv; net1 and trust1 declared continuous (not ordered)"),
  one_x = list(call = 'sem(models$one_x, data = d_na, ordered = ord_norm_stab, estimator = "WLSMV")',
               data = "survey_ordinal_x.csv with NA at na_rows (listwise deletion)"))

out <- c(meta_info(), list(
  description = paste("lavaan WLSMV sample statistics with exogenous covariates (conditional.x = TRUE):",
                      "res.th / res.slopes / res.cov / res.var, wls.obs, diag(wls.v), NACOV = lavInspect(fit,",
                      "'gamma') (12 significant digits), parameterEstimates and fitMeasures."),
  seed = seed,
  na_rows = lapply(na_rows, function(r) I(r)),
  cases = list()))

for (nm in names(cases)) {
  cs <- cases[[nm]]
  calls <- c(calls, cs$call)
  tt <- system.time(fit <- run(cs$call))
  out$cases[[nm]] <- c(case_summary(fit, cs$call, cs$data), list(seconds = unname(tt[["elapsed"]])))
  message(nm, " done: ", lavInspect(fit, "nobs"), " cases, ", nrow(lavInspect(fit, "gamma")), " statistics")
}

out$models <- models
out$ordered <- list(ord_net_trust = I(ord_net_trust), ord_mixed = I(ord_mixed), ord_norm_stab = I(ord_norm_stab))
out$calls <- I(calls)
write_golden(out, "ordinal_conditional.json")
