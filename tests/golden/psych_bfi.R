# Golden reference values for psych (reliability, KMO/Bartlett, parallel analysis,
# EFA, polychoric) on the bfi data (resilience_stats).
# Run:  cd tests/golden && Rscript psych_bfi.R
# Writes: tests/golden/psych_bfi.json, tests/data/bfi.csv
# All computations use the data READ BACK from tests/data/bfi.csv (verified identical).

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(psych)
  library(lavaan)
  library(semTools)
  library(GPArotation)
})

data_dir <- file.path("..", "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

rn_df <- function(df, key = "item") {           # keep row names as a column
  df <- as.data.frame(df)
  out <- cbind(stats::setNames(data.frame(rownames(df), stringsAsFactors = FALSE), key), df)
  rownames(out) <- NULL
  out
}
calls <- character(0)
add_calls <- function(...) calls <<- c(calls, ...)

out <- c(meta_info(), list(
  description = paste("psych golden values on bfi. Tables with row names are stored as records with an",
                      "'item' (or 'scale') key; matrices as {rownames, colnames, data (row-major)}."),
  psychtools_version = pkg_version("psychTools")
))

# ==================================================================== data ===
bfi_src <- psych::bfi
stopifnot(identical(psych::bfi, psychTools::bfi))
write_csv_exact(bfi_src, file.path(data_dir, "bfi.csv"))
bfi <- read.csv(file.path(data_dir, "bfi.csv"))
items <- bfi[, 1:25]
out$data <- list(
  file = "bfi.csv", source = "psych::bfi (psych 2.2.9; identical to psychTools::bfi)",
  n = nrow(bfi), columns = I(names(bfi)),
  note = "original row names (subject ids) are not exported; missing values written as empty fields",
  r_read = "bfi <- read.csv('../data/bfi.csv'); items <- bfi[, 1:25]",
  n_missing_items = sum(is.na(items)), n_complete_items = sum(complete.cases(items)))

# ======================================================= a. alpha ============
scales <- list(
  agreeableness     = c("A1", "A2", "A3", "A4", "A5"),
  conscientiousness = c("C1", "C2", "C3", "C4", "C5"),
  extraversion      = c("E1", "E2", "E3", "E4", "E5"),
  neuroticism       = c("N1", "N2", "N3", "N4", "N5"),
  openness          = c("O1", "O2", "O3", "O4", "O5"))
reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
alpha_out <- list()
omega_out <- list()
for (sc in names(scales)) {
  it <- scales[[sc]]
  keys <- ifelse(it %in% reversed, -1, 1)
  names(keys) <- it
  x <- items[, it]
  cl <- sprintf('psych::alpha(items[, c(%s)], keys = c(%s), check.keys = FALSE)',
                paste0('"', it, '"', collapse = ", "), paste(keys, collapse = ", "))
  add_calls(cl)
  a <- run(cl)
  fe <- a$feldt
  cl_ci <- sprintf("psych::alpha.ci(%s, n.obs = %d, n.var = %d)", fmt_num(a$total$raw_alpha), nrow(x), length(it))
  aci <- tryCatch(run(cl_ci), error = function(e) NULL)
  alpha_out[[sc]] <- list(
    call = cl, items = I(it), keys = I(as.numeric(keys)), keys_psych = I(a$keys[[1]]),
    reversed_items = I(it[keys < 0]),
    reverse_scoring_note = "psych reverses as (max + min) - x with max/min over all item responses (here 6 + 1 - x); use = 'pairwise'",
    total = as.list(a$total),
    alpha_drop = rn_df(a$alpha.drop),
    item_stats = rn_df(a$item.stats),
    feldt = list(lower_ci = fe$lower.ci[[1]], alpha = fe$alpha[[1]], upper_ci = fe$upper.ci[[1]],
                 r_bar = fe$r.bar[[1]], note = "alpha$feldt: 95% Feldt CI as computed inside psych::alpha"),
    alpha_ci_call = cl_ci,
    alpha_ci = if (is.null(aci)) NULL else lapply(unclass(aci), function(v) if (is.data.frame(v)) as.list(v) else v)
  )

  # ---- b. omega total --------------------------------------------------
  cl_om <- sprintf('psych::omega(items[, c(%s)], nfactors = 1, key = c(%s), plot = FALSE)',
                   paste0('"', it, '"', collapse = ", "), paste(keys, collapse = ", "))
  add_calls(cl_om)
  om <- suppressWarnings(suppressMessages(run(cl_om)))
  xr <- x
  for (j in which(keys < 0)) xr[[j]] <- 7 - xr[[j]]
  R <- cor(xr, use = "pairwise")
  f1 <- psych::fa(R, nfactors = 1, fm = "minres", n.obs = nrow(xr))
  L <- as.numeric(f1$loadings); u2 <- as.numeric(f1$uniquenesses)
  # lavaan/semTools omega on reversed items
  mod1 <- paste("F =~", paste(it, collapse = " + "))
  fit1 <- lavaan::cfa(mod1, data = xr, std.lv = TRUE)
  cr_obs <- semTools::compRelSEM(fit1)
  cr_imp <- semTools::compRelSEM(fit1, obs.var = FALSE)
  omega_out[[sc]] <- list(
    psych_omega = list(
      call = cl_om, function_used = "psych::omega(nfactors = 1) (fm = 'minres', correlations use = 'pairwise')",
      omega_tot = om$omega.tot, alpha = om$alpha, G6 = om$G6,
      omega_h = om$omega_h,
      omega_h_note = "psych warns 'Omega_h for 1 factor is not meaningful, just omega_t'; omega_h stored only for completeness",
      schmid_loadings = unclass(om$schmid$sl)),
    fa_1factor_on_reversed = list(
      call = "R <- cor(xr, use = 'pairwise'); psych::fa(R, nfactors = 1, fm = 'minres', n.obs = nrow(xr))  # xr = items with reversed ones recoded 7 - x",
      loadings = I(L), uniquenesses = I(u2),
      omega_total_sumR = 1 - sum(u2) / sum(R),
      omega_total_sumR_formula = "1 - sum(u2) / sum(R)  (psych's omega.tot definition, total variance = sum of observed correlation matrix)",
      omega_total_model = sum(L)^2 / (sum(L)^2 + sum(u2)),
      omega_total_model_formula = "(sum L)^2 / ((sum L)^2 + sum(u2))  (model-implied total variance)"),
    semtools_compRelSEM = list(
      model = mod1,
      call_fit = "lavaan::cfa(mod1, data = xr, std.lv = TRUE)  # ML, listwise deletion (default), xr = reversed items",
      call_obs = "semTools::compRelSEM(fit1)  # obs.var = TRUE (default): denominator = observed total variance",
      call_implied = "semTools::compRelSEM(fit1, obs.var = FALSE)",
      nobs = lavInspect(fit1, "nobs"),
      omega_obs_var = unname(as.numeric(cr_obs)),
      omega_implied_var = unname(as.numeric(cr_imp)),
      loadings = I(as.numeric(lavInspect(fit1, "est")$lambda)),
      residual_variances = I(as.numeric(diag(lavInspect(fit1, "est")$theta))))
  )
}
out$alpha <- alpha_out
out$omega <- omega_out
message("a/b done")

# ============================================= c. KMO / Bartlett / det =======
add_calls("psych::KMO(items)", 'R25 <- cor(items, use = "pairwise")',
          "psych::cortest.bartlett(R25, n = 2800)", "det(R25)")
kmo <- psych::KMO(items)
R25 <- cor(items, use = "pairwise")
bt <- psych::cortest.bartlett(R25, n = 2800)
out$kmo <- list(call = "psych::KMO(items)  # raw data -> cor(items, use = 'pairwise')",
                MSA = kmo$MSA, MSAi = kmo$MSAi)
out$bartlett <- list(call = "psych::cortest.bartlett(cor(items, use = 'pairwise'), n = 2800)",
                     chisq = bt$chisq, df = bt$df, p_value = bt$p.value)
out$correlation <- list(call = "cor(items, use = 'pairwise')", det = det(R25), log_det = as.numeric(determinant(R25)$modulus),
                        R = R25)
message("c done")

# ================================================= d. parallel analysis ======
pa_seed <- 20240601L
# psych runs the simulations through parallel::mclapply; forked workers do not follow
# set.seed(), so force serial execution to make the simulated eigenvalues reproducible.
old_mc <- options(mc.cores = 1L)
add_calls(sprintf("set.seed(%d); psych::fa.parallel(items, fa = 'fa', n.iter = 100, plot = FALSE)", pa_seed),
          sprintf("set.seed(%d); psych::fa.parallel(items, fa = 'both', n.iter = 100, plot = FALSE)", pa_seed))
pa_store <- function(pa, cl, seed) list(
  call = cl, seed = seed,
  nfact = pa$nfact, ncomp = pa$ncomp,
  fa_values = I(pa$fa.values), pc_values = I(pa$pc.values),
  fa_sim = I(pa$fa.sim), pc_sim = I(pa$pc.sim), fa_simr = I(pa$fa.simr), pc_simr = I(pa$pc.simr),
  options = "options(mc.cores = 1)",
  note = paste("fa_values = eigenvalues of the reduced correlation matrix (communalities from a 1-factor",
               "minres fa, SMC = FALSE default); pc_values = eigenvalues of cor(items, use='pairwise').",
               "Simulated/resampled values are random: compare observed values and nfact/ncomp only."))
set.seed(pa_seed)
pa_t <- system.time(pa_fa <- psych::fa.parallel(items, fa = "fa", n.iter = 100, plot = FALSE))
set.seed(pa_seed)
pa_both <- psych::fa.parallel(items, fa = "both", n.iter = 100, plot = FALSE)
out$fa_parallel <- list(
  fa = pa_store(pa_fa, sprintf("set.seed(%d); psych::fa.parallel(items, fa = 'fa', n.iter = 100, plot = FALSE)", pa_seed), pa_seed),
  both = pa_store(pa_both, sprintf("set.seed(%d); psych::fa.parallel(items, fa = 'both', n.iter = 100, plot = FALSE)", pa_seed), pa_seed),
  eigen_cor = I(eigen(R25, only.values = TRUE)$values),
  seconds_fa = unname(pa_t[["elapsed"]]),
  mc_cores = 1L, mc_cores_note = "options(mc.cores = 1) set during fa.parallel so that set.seed() fully determines the simulations")
options(old_mc)
message("d done")

# ================================================================ e. EFA =====
fa_store <- function(f, cl) {
  res <- list(call = cl, fm = f$fm, rotation = f$rotation,
              loadings = unclass(f$loadings),
              communality = f$communality, uniquenesses = f$uniquenesses,
              Phi = if (is.null(f$Phi)) NULL else unclass(f$Phi),
              Structure = if (is.null(f$Structure)) NULL else unclass(f$Structure),
              rot_mat = if (is.null(f$rot.mat)) NULL else unclass(f$rot.mat),
              Vaccounted = unclass(f$Vaccounted),
              values = I(f$values), e_values = I(f$e.values),
              TLI = f$TLI, RMSEA = f$RMSEA, BIC = f$BIC,
              chi = f$chi, STATISTIC = f$STATISTIC, PVAL = f$PVAL, dof = f$dof,
              objective = f$objective, rms = f$rms, crms = f$crms, fit = f$fit, fit_off = f$fit.off,
              n_obs = f$n.obs, null_chisq = f$null.chisq, null_dof = f$null.dof,
              complexity = f$complexity)
  res
}
efa_calls <- list(
  minres_oblimin = 'psych::fa(items, nfactors = 5, fm = "minres", rotate = "oblimin")',
  ml_promax      = 'psych::fa(items, nfactors = 5, fm = "ml", rotate = "promax")',
  ml_varimax     = 'psych::fa(items, nfactors = 5, fm = "ml", rotate = "varimax")',
  minres_none    = 'psych::fa(items, nfactors = 5, fm = "minres", rotate = "none")',
  ml_none        = 'psych::fa(items, nfactors = 5, fm = "ml", rotate = "none")'
)
out$efa <- list(note = paste("fa() on raw data uses cor(items, use = 'pairwise'), n.obs = 2800.",
                             "Factor columns are psych-ordered (by variance after rotation) and named MR*/ML*;",
                             "match factors by loading pattern, sign and order may differ from other software."))
for (nm in names(efa_calls)) {
  add_calls(efa_calls[[nm]])
  f <- suppressWarnings(run(efa_calls[[nm]]))
  out$efa[[nm]] <- fa_store(f, efa_calls[[nm]])
}
message("e done")

# ========================================================= f. polychoric ======
add_calls("psych::polychoric(items)  # defaults: correct = 0.5, global = TRUE, pairwise-complete")
poly_t <- system.time(pc <- psych::polychoric(items))
out$polychoric <- list(call = "psych::polychoric(items)",
                       defaults = "smooth = TRUE, global = TRUE, correct = 0.5, na.rm = TRUE (pairwise), delete = TRUE",
                       rho = unclass(pc$rho), tau = unclass(pc$tau),
                       n_obs = pc$n.obs, seconds = unname(poly_t[["elapsed"]]))
message("f done (", round(poly_t[["elapsed"]], 1), " s)")

# ==================================================== g. closed-form cases =====
# (1) tiny raw data set: alpha by the textbook formula vs psych::alpha
tiny <- data.frame(i1 = c(1, 2, 3, 4, 5, 3), i2 = c(2, 2, 4, 4, 5, 3),
                   i3 = c(1, 3, 3, 5, 4, 2), i4 = c(2, 1, 4, 3, 5, 4))
k <- ncol(tiny)
alpha_cf <- k / (k - 1) * (1 - sum(apply(tiny, 2, var)) / var(rowSums(tiny)))
Rt <- cor(tiny)
rbar <- (sum(Rt) - k) / (k * (k - 1))
std_alpha_cf <- k * rbar / (1 + (k - 1) * rbar)
at <- psych::alpha(tiny)
# (2) population 1-factor correlation matrix: omega total has a closed form
lam <- c(0.8, 0.7, 0.6, 0.5)
Rpop <- tcrossprod(lam) + diag(1 - lam^2)
dimnames(Rpop) <- list(paste0("v", 1:4), paste0("v", 1:4))
omega_cf <- sum(lam)^2 / (sum(lam)^2 + sum(1 - lam^2))
om_pop <- suppressWarnings(suppressMessages(psych::omega(Rpop, nfactors = 1, n.obs = 500, plot = FALSE)))
a_pop <- psych::alpha(Rpop)
kp <- 4; rbar_p <- (sum(Rpop) - kp) / (kp * (kp - 1))
add_calls("psych::alpha(tiny)", "psych::omega(Rpop, nfactors = 1, n.obs = 500, plot = FALSE)", "psych::alpha(Rpop)")
out$closed_form <- list(
  tiny_alpha = list(data = tiny, formula = "k/(k-1) * (1 - sum(item variances) / var(total))",
                    alpha_closed_form = alpha_cf, std_alpha_closed_form = std_alpha_cf,
                    psych_alpha_call = "psych::alpha(tiny)",
                    psych_raw_alpha = at$total$raw_alpha, psych_std_alpha = at$total$std.alpha,
                    psych_average_r = at$total$average_r, alpha_drop = rn_df(at$alpha.drop),
                    item_stats = rn_df(at$item.stats)),
  population_one_factor = list(loadings = I(lam), R = Rpop,
                    omega_total_closed_form = omega_cf,
                    omega_formula = "(sum lambda)^2 / ((sum lambda)^2 + sum(1 - lambda^2))",
                    std_alpha_closed_form = kp * rbar_p / (1 + (kp - 1) * rbar_p),
                    psych_omega_call = "psych::omega(Rpop, nfactors = 1, n.obs = 500, plot = FALSE)",
                    psych_omega_tot = om_pop$omega.tot,
                    psych_alpha_call = "psych::alpha(Rpop)",
                    psych_alpha_std = a_pop$total$std.alpha, psych_alpha_raw = a_pop$total$raw_alpha))
message("g done")

out$calls <- I(calls)
write_golden(out, "psych_bfi.json")
