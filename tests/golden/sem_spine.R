# Golden reference values for the SEM "one estimation spine" issue (issue 13): continuous estimators MLM/MLMV/MLMVS/
# GLS/ULS/WLS/DWLS, missing = "ml.x" and FIML with fixed.x = FALSE, ordinal models with exogenous covariates
# (conditional.x), labels / `:=` / `==` in single- and multi-group ordinal models, theta parameterization, complete
# ordinal fit measures (incl. NA positions), nonlinear equality and inequality constraints, growth(), multi-group
# MLR scaling factors, modification indices / score tests, standardized residuals, std.nox, bootstrap refits on
# fixed resamples (clusters, FIML, ordinal) and lavaan timings.
# Run:  cd tests/golden && Rscript sem_spine.R      -> writes sem_spine.json
# Reads: sem_lavaan.json and sem_wlsmv.json (their `models`: HS CFA, PoliticalDemocracy, mediation, hs_fixed_x,
#        survey CFA, cluster CFA), ../data/{holzinger_swineford,political_democracy,hs_missing,mediation,survey_ordinal,ordinal_waves,
#        cluster_survey}.csv
# Reads also ../data/survey_ordinal_x.csv (written once by ordinal_conditional.R; run that script first).
# Writes once (made here with set.seed; if the file exists it must be reproduced byte for byte, else the script
# stops): ../data/hs_missing_x.csv, ../data/demo_growth.csv,
#        ../data/cluster_boot_indices.csv, ../data/hs_missing_boot_indices.csv, ../data/survey_ordinal_boot_indices.csv
# Every fit runs on data read back from the CSV files.

source("_golden_helpers.R")
suppressPackageStartupMessages(library(lavaan))

data_dir <- file.path("..", "data")
out <- c(meta_info(), list(
  lme4_version = pkg_version("lme4"), sandwich_version = pkg_version("sandwich"),
  description = paste(
    "lavaan golden values for the SEM estimation spine (issue 13).",
    "Each case: call, model (key of `models`), data (CSV in tests/data), converged, options,",
    "parameter_estimates = parameterEstimates(fit, standardized = TRUE) records (std.nox where lavaan gives it),",
    "fit_measures = fitMeasures(fit) complete (NA -> null), warnings = lavaan warnings raised by the call,",
    "plus the extra pieces named in each case. Matrices are {rownames, colnames, data (row-major)}."),
  seeds = list(), data_files = list(), models = list(), calls = list(), cases = list(),
  lavaan_refused = list()))
add_call <- function(...) out$calls <<- c(out$calls, list(...))

# ------------------------------------------------------------------ helpers ----
# run_w, uc, test_list, write_once_csv and time_median come from _golden_helpers.R.

# data.frame with row names -> records with a first column `stat`
df_rows <- function(d, key = "stat") {
  d <- as.data.frame(d)
  d <- cbind(stats::setNames(data.frame(rownames(d), stringsAsFactors = FALSE), key), d)
  rownames(d) <- NULL
  d
}

lav_resid <- function(r) {
  # lavResiduals() output: one block, or a list of blocks (one per group)
  one <- function(b) {
    o <- uc(b[setdiff(names(b), "summary")])
    if (!is.null(b$summary)) o$summary <- df_rows(b$summary)
    o
  }
  if (!is.null(r$type)) one(r) else lapply(r, one)
}

# Fit one case, store its fit_summary (or the refusal), return the fit (or NULL).
fits <- list()
add_case <- function(name, call_str, model, data, extra = function(fit) list()) {
  add_call(call_str)
  r <- run_w(call_str)
  if (inherits(r$value, "error")) {
    out$lavaan_refused[[name]] <<- list(call = call_str, model = model, data = data,
                                        error = conditionMessage(r$value), warnings = I(r$warnings))
    message(name, ": lavaan ERROR ", conditionMessage(r$value))
    return(invisible(NULL))
  }
  fit <- r$value
  if (!lavInspect(fit, "converged")) {
    out$lavaan_refused[[name]] <<- list(
      call = call_str, model = model, data = data, converged = FALSE,
      iterations = lavInspect(fit, "iterations"), warnings = I(r$warnings),
      error = "not converged: fitMeasures() refuses ('fit measures not available if model did not converge')",
      fmin_at_stop = fit@optim$fx,
      parameter_estimates = pe_records(fit))
    message(name, ": NOT converged")
    return(invisible(fit))
  }
  fits[[name]] <<- fit
  out$cases[[name]] <<- fit_summary(fit, call_str, c(list(model = model, data = data, warnings = I(r$warnings)),
                                                      extra(fit)))
  message(name, " done")
  invisible(fit)
}


# ===================================================================== data ====
pd <- read.csv(file.path(data_dir, "political_democracy.csv"))
hs <- read.csv(file.path(data_dir, "holzinger_swineford.csv"), stringsAsFactors = FALSE)
hs_m <- read.csv(file.path(data_dir, "hs_missing.csv"), stringsAsFactors = FALSE)
med <- read.csv(file.path(data_dir, "mediation.csv"))
surv <- read.csv(file.path(data_dir, "survey_ordinal.csv"), stringsAsFactors = FALSE)  # community + 16 items
items <- surv[, -1]
waves <- read.csv(file.path(data_dir, "ordinal_waves.csv"))
clus <- read.csv(file.path(data_dir, "cluster_survey.csv"))

# hs_missing_x.csv: hs_missing.csv plus MCAR missingness in the covariates ageyr (10%) and grade (8%)
set.seed(2613)
hs_mx_src <- hs_m
u_age <- runif(nrow(hs_mx_src)); u_grade <- runif(nrow(hs_mx_src))
hs_mx_src$ageyr[u_age < 0.10] <- NA
hs_mx_src$grade[u_grade < 0.08] <- NA
hs_mx <- write_once_csv(hs_mx_src, "hs_missing_x.csv")
out$seeds$hs_missing_x <- 2613L
out$data_files$hs_missing_x.csv <- list(
  source = "hs_missing.csv with extra MCAR missingness in the exogenous covariates",
  recipe = paste("hs_m <- read.csv('../data/hs_missing.csv'); set.seed(2613); u_age <- runif(301); u_grade <- runif(301);",
                 "hs_m$ageyr[u_age < 0.10] <- NA; hs_m$grade[u_grade < 0.08] <- NA",
                 "(grade already had 1 NA in HolzingerSwineford1939)"),
  n = nrow(hs_mx), columns = I(names(hs_mx)),
  missing_per_variable = sapply(hs_mx[, c("ageyr", "grade", paste0("x", 1:9))], function(v) sum(is.na(v))),
  r_read = "hs_mx <- read.csv('../data/hs_missing_x.csv', stringsAsFactors = FALSE)")

# survey_ordinal_x.csv (the 16 items of survey_ordinal.csv + age, female) is made once by ordinal_conditional.R
# (seed 20240613, recipe there); it is read here as it is.
sx_path <- file.path(data_dir, "survey_ordinal_x.csv")
if (!file.exists(sx_path)) stop(sx_path, " is missing: run `Rscript ordinal_conditional.R` first (it writes the file once)")
sx <- read.csv(sx_path)
out$data_files$survey_ordinal_x.csv <- list(
  source = "written once by ordinal_conditional.R: the 16 items of survey_ordinal.csv plus covariates age (standardized, 4 decimals) and female (0/1)",
  md5 = unname(tools::md5sum(sx_path)), n = nrow(sx), columns = I(names(sx)),
  r_read = "sx <- read.csv('../data/survey_ordinal_x.csv')")

# demo_growth.csv: lavaan::Demo.growth, exact
dg <- write_once_csv(lavaan::Demo.growth, "demo_growth.csv")
out$data_files$demo_growth.csv <- list(source = "lavaan::Demo.growth (exported bit for bit)", n = nrow(dg),
                                       columns = I(names(dg)), r_read = "dg <- read.csv('../data/demo_growth.csv')")

# ================================================================== models ====
# The reference models are those of sem_lavaan.json / sem_wlsmv.json (read from there so they cannot drift);
# the variants are derived from them.
ref_models <- c(jsonlite::fromJSON("sem_lavaan.json")$models, jsonlite::fromJSON("sem_wlsmv.json")$models)
model_hs <- ref_models$hs_cfa
model_pd <- ref_models$political_democracy
model_med <- ref_models$mediation
model_hs_fixed_x <- ref_models$hs_fixed_x
model_s4 <- ref_models$survey_cfa
model_cl <- ref_models$cluster_cfa
swap <- function(x, from, to) {
  stopifnot(grepl(from, x, fixed = TRUE))
  gsub(from, to, x, fixed = TRUE)
}
# PoliticalDemocracy with labelled structural paths b1 (dem60 ~ ind60), b2 (dem65 ~ ind60), b3 (dem65 ~ dem60)
model_pd_lab <- swap(swap(model_pd, "dem60 ~ ind60", "dem60 ~ b1*ind60"), "dem65 ~ ind60 + dem60",
                     "dem65 ~ b2*ind60 + b3*dem60")
model_pd_nonlin <- paste0(model_pd_lab, "    b1 == (b2 + b3)^2\n")
model_pd_ineq_inactive <- paste0(model_pd_lab, "    b1 > 0.5\n")
model_pd_ineq_b1_gt_0 <- paste0(model_pd_lab, "    b1 > 0\n")
model_pd_ineq_diff <- paste0(model_pd_lab, "    b2 > b3\n")
model_pd_ineq_bound <- paste0(model_pd_lab, "    b3 < 0.5\n")
model_pd_ineq_var <- paste0(model_pd_lab, "    dem65 ~~ v*dem65\n    v > 0.5\n")
model_pd_ineq_var_inactive <- paste0(model_pd_lab, "    dem65 ~~ v*dem65\n    v > 0\n")
# PoliticalDemocracy with the observed x1 in place of the ind60 factor (an exogenous observed covariate)
model_pd_obs_x <- swap(swap(model_pd, "    ind60 =~ x1 + x2 + x3\n", ""), "ind60", "x1")
model_hs_x <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual  ~ ageyr + grade
'
model_sx <- '
  NET   =~ net1 + net2 + net3 + net4
  TRUST =~ trust1 + trust2 + trust3 + trust4
  NET   ~ age + female
  TRUST ~ NET + age
'
model_lab <- '
  NET   =~ net1 + a*net2 + b*net3 + net4
  TRUST =~ trust1 + trust2 + trust3 + trust4
  TRUST ~ c*NET
  ab := a*b
'
model_lab_eq <- paste0(model_lab, "  a == b\n")
model_waves <- '
  res =~ res1 + res2 + res3 + res4
  net =~ net1 + net2 + net3 + net4
'
model_waves_lab <- '
  res =~ res1 + c(l2, l2)*res2 + res3 + res4
  net =~ net1 + net2 + c(n3a, n3b)*net3 + net4
  d_n3 := n3a - n3b
'
model_3items_df <- '
  F =~ a*net1 + a*net2 + a*net3
  net1 | t1*t1 + t2*t2 + t3*t3 + t4*t4
  net2 | t1*t1 + t2*t2 + t3*t3 + t4*t4
  net3 | t1*t1 + t2*t2 + t3*t3 + t4*t4
'
model_growth <- '
  i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4
  s =~ 0*t1 + 1*t2 + 2*t3 + 3*t4
'
model_growth_cov <- paste0(model_growth, '  i ~ x1 + x2
  s ~ x1 + x2
  t1 ~ c1
  t2 ~ c2
  t3 ~ c3
  t4 ~ c4
')
for (nm in ls(pattern = "^model_")) out$models[[sub("^model_", "", nm)]] <- get(nm)

vcov_extra <- function(fit) list(vcov = unclass(vcov(fit)), test = test_list(fit))

# ============================================= 1. continuous estimators =======
for (est in c("MLM", "GLS", "ULS", "WLS", "DWLS", "MLMV", "MLMVS")) {
  nm <- paste0("hs_", tolower(est))
  cl <- sprintf('cfa(model_hs, data = hs, estimator = "%s")', est)
  ex <- vcov_extra
  if (est == "WLS") ex <- function(fit) c(vcov_extra(fit), list(
    wls_obs = uc(lavInspect(fit, "wls.obs")), gamma = uc(lavInspect(fit, "gamma")),
    wls_v = uc(lavInspect(fit, "wls.v"))))
  if (est == "DWLS") ex <- function(fit) c(vcov_extra(fit), list(
    wls_obs = uc(lavInspect(fit, "wls.obs")), wls_v_diag = diag(uc(lavInspect(fit, "wls.v")))))
  add_case(nm, cl, "hs", "holzinger_swineford.csv", ex)
}
for (est in c("MLM", "GLS", "ULS", "WLS", "DWLS")) {
  add_case(paste0("pd_", tolower(est)), sprintf('sem(model_pd, data = pd, estimator = "%s")', est),
           "pd", "political_democracy.csv", vcov_extra)
}
# MLM = ML + se = "robust.sem" + test = "satorra.bentler"
add_case("hs_ml_robust_sem_sb", 'cfa(model_hs, data = hs, estimator = "ML", se = "robust.sem", test = "satorra.bentler")',
         "hs", "holzinger_swineford.csv", vcov_extra)
if (!is.null(fits$hs_ml_robust_sem_sb)) {
  a <- fits$hs_ml_robust_sem_sb; b <- fits$hs_mlm
  out$cases$hs_ml_robust_sem_sb$same_as_hs_mlm <- list(
    est = isTRUE(all.equal(coef(a), coef(b), tolerance = 1e-12)),
    se = isTRUE(all.equal(parameterEstimates(a)$se, parameterEstimates(b)$se, tolerance = 1e-12)),
    chisq_scaled = isTRUE(all.equal(fitMeasures(a, "chisq.scaled"), fitMeasures(b, "chisq.scaled"), tolerance = 1e-12)),
    max_abs_diff_fit_measures = {
      fa <- fitMeasures(a); fb <- fitMeasures(b); cm <- intersect(names(fa), names(fb))
      max(abs(unclass(fa[cm]) - unclass(fb[cm])), na.rm = TRUE)
    },
    note = "estimator differs only in the options record (ML vs MLM)")
}
message("1. done")

# ======================================== 2. missing = ml.x / FIML fixed.x ====
miss_ex <- function(fit) list(test = test_list(fit), coverage = uc(lavInspect(fit, "coverage")),
                             n_patterns = nrow(lavInspect(fit, "patterns")))
add_case("hs_mlx_ml", 'sem(model_hs_x, data = hs_mx, missing = "ml.x")', "hs_x", "hs_missing_x.csv", miss_ex)
add_case("hs_mlx_mlr", 'sem(model_hs_x, data = hs_mx, missing = "ml.x", estimator = "MLR")', "hs_x", "hs_missing_x.csv", miss_ex)
add_case("hs_fiml_randomx_ml", 'sem(model_hs_x, data = hs_mx, missing = "ml", fixed.x = FALSE)', "hs_x", "hs_missing_x.csv", miss_ex)
add_case("hs_fiml_randomx_mlr", 'sem(model_hs_x, data = hs_mx, missing = "ml", fixed.x = FALSE, estimator = "MLR")',
         "hs_x", "hs_missing_x.csv", miss_ex)
add_case("hs_fiml_fixedx_ml", 'sem(model_hs_x, data = hs_mx, missing = "ml")', "hs_x", "hs_missing_x.csv",
         function(fit) c(miss_ex(fit), list(note = "fixed.x = TRUE with missing covariates: lavaan deletes the cases with a missing covariate (see warnings, nobs)")))
message("2. done")

# ======================================== 3. ordinal + covariates (conditional.x) ==
sx_items <- c(paste0("net", 1:4), paste0("trust", 1:4))
add_case("survey_x_wlsmv", 'sem(model_sx, data = sx, ordered = sx_items, estimator = "WLSMV")', "sx", "survey_ordinal_x.csv",
         function(fit) list(
           ordered = I(sx_items),
           conditional_x = lavInspect(fit, "options")$conditional.x,
           sampstat = uc(lavInspect(fit, "sampstat")),
           res_var = setNames(as.double(fit@SampleStats@res.var[[1]]), lavNames(fit, "ov.nox")),
           sampstat_note = "conditional.x = TRUE: res.th = thresholds of the probit regressions on the covariates, res.slopes = their slopes, res.cov = residual polychoric correlations, res.int = intercepts (0), cov.x / mean.x of the covariates (divisor N); res_var = fit@SampleStats@res.var (1 for ordinal items)",
           wls_obs = uc(lavInspect(fit, "wls.obs")),
           wls_v_diag = diag(uc(lavInspect(fit, "wls.v"))),
           gamma = uc(lavInspect(fit, "gamma")),
           thresholds = uc(lavInspect(fit, "th")),
           r2 = uc(lavInspect(fit, "r2")),
           test = test_list(fit)))
message("3. done")

# ======================================== 4. ordinal labels, := and == =========
ord_ex <- function(fit) list(thresholds = uc(lavInspect(fit, "th")), r2 = uc(lavInspect(fit, "r2")), test = test_list(fit))
add_case("survey_labels_eq_wlsmv", 'sem(model_lab_eq, data = items, ordered = TRUE, estimator = "WLSMV")', "lab_eq",
         "survey_ordinal.csv", ord_ex)
add_case("survey_labels_wlsmv", 'sem(model_lab, data = items, ordered = TRUE, estimator = "WLSMV")', "lab",
         "survey_ordinal.csv", ord_ex)
add_case("waves_labels_wlsmv",
         'cfa(model_waves_lab, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV", group.equal = "thresholds")',
         "waves_lab", "ordinal_waves.csv", ord_ex)
message("4. done")

# ======================================== 5. theta parameterization ============
add_case("survey_theta_wlsmv", 'cfa(model_s4, data = items, ordered = TRUE, estimator = "WLSMV", parameterization = "theta")',
         "s4", "survey_ordinal.csv", ord_ex)
add_case("waves_theta_th_load_wlsmv",
         'cfa(model_waves, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV", group.equal = c("thresholds", "loadings"), parameterization = "theta")',
         "waves", "ordinal_waves.csv", ord_ex)
message("5. done")

# ======================================== 6. ordinal fit measures complete =====
add_case("survey_wlsmv", 'cfa(model_s4, data = items, ordered = TRUE, estimator = "WLSMV")', "s4", "survey_ordinal.csv", ord_ex)
add_case("survey_ulsmv", 'cfa(model_s4, data = items, ordered = TRUE, estimator = "ULSMV")', "s4", "survey_ordinal.csv", ord_ex)
add_case("waves_wlsmv", 'cfa(model_waves, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV")', "waves",
         "ordinal_waves.csv", ord_ex)
add_case("waves_ulsmv", 'cfa(model_waves, data = waves, ordered = TRUE, group = "wave", estimator = "ULSMV")', "waves",
         "ordinal_waves.csv", ord_ex)
df_note <- function(fit) c(ord_ex(fit), list(
  note = "model df exceed the baseline df (thresholds equal across items): lavaan gives nfi/rfi (and the robust indices) as NA",
  df = fitMeasures(fit, "df")[[1]], baseline_df = fitMeasures(fit, "baseline.df")[[1]]))
add_case("survey_df_gt_baseline_wlsmv", 'cfa(model_3items_df, data = items, ordered = TRUE, estimator = "WLSMV", std.lv = TRUE)',
         "3items_df", "survey_ordinal.csv", df_note)
add_case("survey_df_gt_baseline_ulsmv", 'cfa(model_3items_df, data = items, ordered = TRUE, estimator = "ULSMV", std.lv = TRUE)',
         "3items_df", "survey_ordinal.csv", df_note)
message("6. done")

# ======================================== 7. nonlinear / inequality constraints ==
con_ex <- function(fit) {
  cj <- fit@Model@con.jac
  list(con_jac = if (length(cj)) unname(unclass(matrix(cj, nrow(cj), ncol(cj)))) else NULL,
       con_jac_attr = list(inactive_idx = I(as.integer(attr(cj, "inactive.idx"))),
                           cin_idx = I(as.integer(attr(cj, "cin.idx"))),
                           ceq_idx = I(as.integer(attr(cj, "ceq.idx")))),
       con_lambda = I(as.numeric(fit@Model@con.lambda)),
       con_note = paste("lavaan 0.6-14 has no lavInspect(fit, 'con.jac'); these are fit@Model@con.jac (rows = constraints,",
                        "columns = free parameters in partable order; inactive.idx = inequality rows not active at the solution)",
                        "and fit@Model@con.lambda (Lagrange multipliers)."),
       free_parameter_names = I(names(coef(fit))),
       eq_constraints_linear = fit@Model@eq.constraints, ceq_nonlinear_idx = I(fit@Model@ceq.nonlinear.idx),
       cin_linear_idx = I(fit@Model@cin.linear.idx), cin_nonlinear_idx = I(fit@Model@cin.nonlinear.idx),
       optim_method = lavInspect(fit, "options")$optim.method, fx = fit@optim$fx,
       vcov = unclass(vcov(fit)))
}
add_case("pd_labels_ml", 'sem(model_pd_lab, data = pd)', "pd_lab", "political_democracy.csv", con_ex)
add_case("pd_nonlin_eq_ml", 'sem(model_pd_nonlin, data = pd)', "pd_nonlin", "political_democracy.csv", con_ex)
add_case("pd_ineq_inactive_ml", 'sem(model_pd_ineq_inactive, data = pd)', "pd_ineq_inactive", "political_democracy.csv", con_ex)
add_case("pd_ineq_var_inactive_ml", 'sem(model_pd_ineq_var_inactive, data = pd)', "pd_ineq_var_inactive", "political_democracy.csv", con_ex)
add_case("pd_ineq_diff_active_ml", 'sem(model_pd_ineq_diff, data = pd)', "pd_ineq_diff", "political_democracy.csv", con_ex)
add_case("pd_ineq_bound_active_ml", 'sem(model_pd_ineq_bound, data = pd)', "pd_ineq_bound", "political_democracy.csv", con_ex)
add_case("pd_ineq_var_active_ml", 'sem(model_pd_ineq_var, data = pd)', "pd_ineq_var", "political_democracy.csv", con_ex)
# lavaan 0.6-14 does not converge on this one although the bound is inactive (kept as a documented refusal)
add_case("pd_ineq_b1_gt_0_ml", 'sem(model_pd_ineq_b1_gt_0, data = pd)', "pd_ineq_b1_gt_0", "political_democracy.csv", con_ex)
message("7. done")

# ======================================== 8. growth ============================
growth_ex <- function(fit) list(test = test_list(fit), implied = uc(fitted(fit)), r2 = uc(lavInspect(fit, "r2")))
add_case("growth_ml", 'growth(model_growth, data = dg)', "growth", "demo_growth.csv", growth_ex)
add_case("growth_mlr", 'growth(model_growth, data = dg, estimator = "MLR")', "growth", "demo_growth.csv", growth_ex)
add_case("growth_cov_ml", 'growth(model_growth_cov, data = dg)', "growth_cov", "demo_growth.csv", growth_ex)
add_case("growth_cov_mlr", 'growth(model_growth_cov, data = dg, estimator = "MLR")', "growth_cov", "demo_growth.csv", growth_ex)
message("8. done")

# ======================================== 9. multi-group MLR + equality =========
mg_ex <- function(fit) list(test = test_list(fit),
  scaling_note = paste("fitMeasures() reports scaling.factor.h1 / scaling.factor.h0 for MLR (test yuan.bentler.mplus);",
                       "test$yuan.bentler.mplus$stat_attr_h1 / _h0 hold lavaan's per-group parts"))
add_case("hs_mg_scalar_mlr", 'cfa(model_hs, data = hs, group = "school", group.equal = c("loadings", "intercepts"), estimator = "MLR")',
         "hs", "holzinger_swineford.csv", mg_ex)
add_case("hs_mg_metric_mlr", 'cfa(model_hs, data = hs, group = "school", group.equal = "loadings", estimator = "MLR")',
         "hs", "holzinger_swineford.csv", mg_ex)
add_case("hs_mg_configural_mlr", 'cfa(model_hs, data = hs, group = "school", estimator = "MLR")',
         "hs", "holzinger_swineford.csv", mg_ex)
message("9. done")

# ======================================== 10. modification indices =============
MI_COLS <- c("lhs", "op", "rhs", "block", "group", "level", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")
# modindices() and lavTestScore(fit, epc = TRUE) (score tests of releasing each equality constraint)
mi_ex <- function(fit) {
  mi <- as.data.frame(modindices(fit))
  o <- list(modindices = mi[, intersect(MI_COLS, names(mi))],
            modindices_call = "modindices(fit)  # defaults: sort. = FALSE, minimum.value = 0",
            modindices_note = "lavaan's modindices() has no rows with op '==' (no MI for releasing an equality constraint); those are the univariate score tests of lavTestScore() (score_test$uni, lhs/rhs = plabels)")
  ws <- character(0)
  ts <- tryCatch(withCallingHandlers(lavTestScore(fit, epc = TRUE),
                                     warning = function(w) { ws <<- c(ws, conditionMessage(w)); invokeRestart("muffleWarning") }),
                 error = function(e) e)
  if (inherits(ts, "error")) {
    o$score_test <- list(call = "lavTestScore(fit, epc = TRUE)", error = conditionMessage(ts))
  } else if (!is.null(ts$uni)) {
    o$score_test <- list(call = "lavTestScore(fit, epc = TRUE)", warnings = I(ws),
                         test = as.data.frame(ts$test), uni = as.data.frame(ts$uni),
                         epc = if (is.null(ts$epc)) NULL else as.data.frame(ts$epc),
                         partable_plabels = as.data.frame(parTable(fit))[, c("lhs", "op", "rhs", "group", "free", "label", "plabel")])
  }
  o
}
add_case("hs_mg_metric_ml_mi", 'cfa(model_hs, data = hs, group = "school", group.equal = "loadings")', "hs",
         "holzinger_swineford.csv", mi_ex)
add_case("survey_wlsmv_mi", 'cfa(model_s4, data = items, ordered = TRUE, estimator = "WLSMV")', "s4", "survey_ordinal.csv",
         function(fit) { o <- mi_ex(fit); o$score_test <- NULL; o })
add_case("waves_th_load_wlsmv_mi",
         'cfa(model_waves, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV", group.equal = c("thresholds", "loadings"))',
         "waves", "ordinal_waves.csv", mi_ex)
message("10. done")

# ======================================== 11. residuals, std.nox ===============
res_ex <- function(fit) {
  rs <- residuals(fit, type = "standardized")
  list(lav_residuals = lav_resid(lavResiduals(fit, se = TRUE)),
       lav_residuals_call = 'lavResiduals(fit, se = TRUE)  # type = "cor.bentler", z = TRUE, summary = TRUE',
       residuals_standardized = uc(rs),
       residuals_standardized_call = 'residuals(fit, type = "standardized")')
}
add_case("hs_ml_resid", 'cfa(model_hs, data = hs)', "hs", "holzinger_swineford.csv", res_ex)
add_case("hs_fiml_resid", 'cfa(model_hs, data = hs_m, missing = "ml")', "hs", "hs_missing.csv", res_ex)
add_case("hs_mg_configural_resid", 'cfa(model_hs, data = hs, group = "school")', "hs", "holzinger_swineford.csv", res_ex)
add_case("hs_fixed_x_stdnox", 'sem(model_hs_fixed_x, data = hs)', "hs_fixed_x", "holzinger_swineford.csv",
         function(fit) list(std_nox_call = 'standardizedSolution(fit, type = "std.nox")',
                            std_nox = as.data.frame(standardizedSolution(fit, type = "std.nox"))))
add_case("pd_obs_x_stdnox", 'sem(model_pd_obs_x, data = pd)', "pd_obs_x", "political_democracy.csv",
         function(fit) list(std_nox_call = 'standardizedSolution(fit, type = "std.nox")',
                            std_nox = as.data.frame(standardizedSolution(fit, type = "std.nox"))))
message("11. done")

# ======================================== 12. bootstrap refits on fixed resamples ==
out$bootstrap_replicates <- list()
n_rep <- 20L
rep_names <- paste0("r", seq_len(n_rep))
collect_reps <- function(make_fit, idx_list, fit0) {
  pe0 <- parameterEstimates(fit0, standardized = TRUE)
  reps <- lapply(unname(idx_list), function(ix) {
    w <- character(0)
    f <- withCallingHandlers(make_fit(ix), warning = function(x) { w <<- c(w, conditionMessage(x)); invokeRestart("muffleWarning") })
    pe <- parameterEstimates(f, standardized = TRUE)
    stopifnot(identical(pe$lhs, pe0$lhs), identical(pe$op, pe0$op), identical(pe$rhs, pe0$rhs))
    list(est = pe$est, se = pe$se, std_all = pe$std.all, converged = lavInspect(f, "converged"), warnings = I(w))
  })
  list(lhs = pe0$lhs, op = pe0$op, rhs = pe0$rhs, full_sample_est = pe0$est,
       est = lapply(reps, `[[`, "est"), se = lapply(reps, `[[`, "se"), std_all = lapply(reps, `[[`, "std_all"),
       converged = sapply(reps, `[[`, "converged"), warnings = lapply(reps, `[[`, "warnings"))
}

# 20 resamples of `pool` (cluster ids or 1-based row numbers) drawn with replacement, one column per replicate,
# written once to ../data/<file>
draw_resamples <- function(seed, pool, file, source, recipe) {
  set.seed(seed)
  idx <- as.data.frame(setNames(lapply(seq_len(n_rep), function(r)
    pool[sample.int(length(pool), length(pool), replace = TRUE)]), rep_names))
  idx <- write_once_csv(idx, file)
  out$seeds[[sub("\\.csv$", "", file)]] <<- as.integer(seed)
  out$data_files[[file]] <<- list(source = source, recipe = recipe, n = nrow(idx), columns = I(names(idx)))
  idx
}
boot_set <- function(kind, info, make_fit, idx, fit0) {
  out$bootstrap_replicates[[kind]] <<- c(info, collect_reps(make_fit, as.list(idx), fit0))
  message("12 ", kind, " done")
}

# (a) cluster bootstrap: resample the 40 cluster ids with replacement, stack each drawn cluster's rows
cb <- draw_resamples(1213L, sort(unique(clus$cid)), "cluster_boot_indices.csv",
  "20 cluster-bootstrap replicates of cluster_survey.csv (40 clusters x 20 persons, column cid)",
  paste("set.seed(1213); ids <- sort(unique(clus$cid)); column r (r1..r20 in order) =",
        "ids[sample.int(40, 40, replace = TRUE)]; resample = the rows of each drawn cluster, stacked in the",
        "drawn order, rows within a cluster in file order"))
stack_clusters <- function(ids) clus[unlist(lapply(ids, function(g) which(clus$cid == g))), ]
boot_set("cluster", list(
  data = "cluster_survey.csv", indices = "cluster_boot_indices.csv", model = "cl",
  call = "cfa(model_cl, data = clus[rows of the drawn clusters, stacked, ])  # ML, plain (estimates do not depend on cluster=)",
  note = "est = ML estimates on the stacked rows; se = plain ML SEs of that refit (not cluster-robust)"),
  function(ids) cfa(model_cl, data = stack_clusters(ids)), cb, cfa(model_cl, data = clus))

# (b) FIML: row resamples of hs_missing.csv
hb <- draw_resamples(1214L, seq_len(nrow(hs_m)), "hs_missing_boot_indices.csv",
  "20 row resamples (1-based row indices) of hs_missing.csv",
  "set.seed(1214); column r = sample.int(301, 301, replace = TRUE) for r = r1..r20 in order")
boot_set("fiml", list(data = "hs_missing.csv", indices = "hs_missing_boot_indices.csv", model = "hs",
                      call = 'cfa(model_hs, data = hs_m[idx[[r]], ], missing = "ml")'),
         function(ix) cfa(model_hs, data = hs_m[ix, ], missing = "ml"), hb, cfa(model_hs, data = hs_m, missing = "ml"))

# (c) ordinal: row resamples of survey_ordinal.csv, WLSMV
ob <- draw_resamples(1215L, seq_len(nrow(items)), "survey_ordinal_boot_indices.csv",
  "20 row resamples (1-based row indices) of survey_ordinal.csv",
  "set.seed(1215); column r = sample.int(800, 800, replace = TRUE) for r = r1..r20 in order")
boot_set("ordinal", list(
  data = "survey_ordinal.csv", indices = "survey_ordinal_boot_indices.csv", model = "s4",
  call = 'cfa(model_s4, data = items[idx[[r]], ], ordered = TRUE, estimator = "WLSMV")',
  note = "every item keeps all 5 categories in every replicate (checked: same parameter rows as the full-sample fit)"),
  function(ix) cfa(model_s4, data = items[ix, ], ordered = TRUE, estimator = "WLSMV"), ob,
  cfa(model_s4, data = items, ordered = TRUE, estimator = "WLSMV"))

# ======================================== 13. timings ==========================
load_before <- readLines("/proc/loadavg")
timings <- list(
  hs_cfa_ml_fitmeasures = time_median('fitMeasures(cfa(model_hs, data = hs))', 21L),
  hs_cfa_ml = time_median('cfa(model_hs, data = hs)', 21L),
  political_democracy_ml_fitmeasures = time_median('fitMeasures(sem(model_pd, data = pd))', 21L),
  political_democracy_ml = time_median('sem(model_pd, data = pd)', 21L),
  mediation_ml_fitmeasures = time_median('fitMeasures(sem(model_med, data = med))', 21L),
  mediation_ml = time_median('sem(model_med, data = med)', 21L)
)
set.seed(123)
timings$mediation_bootstrap_1000 <- time_median('sem(model_med, data = med, se = "bootstrap", bootstrap = 1000)', 3L)
timings$machine <- machine_info(load_before,
  note = paste("one warm-up evaluation, then n_rep timed sequential evaluations (proc.time elapsed); median reported.",
               "The machine is shared (see loadavg): compare ratios measured in one run, not these absolute times.",
               "Models: model_hs, model_pd, model_med of `models` (mediation = sem_lavaan.R's 12-indicator model, n = 400)."))
out$timings <- timings
message("13. done")

out$calls <- I(unlist(out$calls))
write_golden(out, "sem_spine.json")
