# Golden reference values for lavaan CFA/SEM (resilience_stats).
# Run:  cd tests/golden && Rscript sem_lavaan.R
# Writes: tests/golden/sem_lavaan.json
#         tests/data/political_democracy.csv, tests/data/holzinger_swineford.csv,
#         tests/data/hs_missing.csv, tests/data/mediation.csv
# All fits are run on the data READ BACK from the exported CSV files (verified to
# be bit-identical to the source data), so Python tests can use the same files.

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(lavaan)
})

data_dir <- file.path("..", "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
out <- c(meta_info(), list(
  description = "lavaan golden values; parameter_estimates = parameterEstimates(fit, standardized=TRUE) as list of records; fit_measures = fitMeasures(fit) as named object; matrices as {rownames, colnames, data (row-major)}",
  seeds = list(hs_missing = 42L, mediation_data = 1L, mediation_bootstrap = 123L),
  data_files = list(), models = list(), calls = list(), cases = list()
))
add_calls <- function(...) out$calls <<- c(out$calls, list(...))

# ============================================================ data export ====
pd_src <- lavaan::PoliticalDemocracy
write_csv_exact(pd_src, file.path(data_dir, "political_democracy.csv"))
pd <- read.csv(file.path(data_dir, "political_democracy.csv"))

hs_src <- lavaan::HolzingerSwineford1939
write_csv_exact(hs_src, file.path(data_dir, "holzinger_swineford.csv"))
hs <- read.csv(file.path(data_dir, "holzinger_swineford.csv"), stringsAsFactors = FALSE)

out$data_files$political_democracy.csv <- list(
  source = "lavaan::PoliticalDemocracy", n = nrow(pd), columns = I(names(pd)),
  r_read = "pd <- read.csv('../data/political_democracy.csv')")
out$data_files$holzinger_swineford.csv <- list(
  source = "lavaan::HolzingerSwineford1939", n = nrow(hs), columns = I(names(hs)),
  r_read = "hs <- read.csv('../data/holzinger_swineford.csv', stringsAsFactors = FALSE)",
  note = "school is character ('Pasteur','Grant-White'); lavaan orders groups by first appearance: Pasteur = group 1, Grant-White = group 2")

# ===================================================== a. PoliticalDemocracy ==
model_pd <- '
  # measurement model
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + y2 + y3 + y4
    dem65 =~ y5 + y6 + y7 + y8
  # regressions
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
  # residual correlations
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
'
out$models$political_democracy <- model_pd
pd_calls <- list(
  pd_ml         = 'sem(model_pd, data = pd, estimator = "ML")',
  pd_mlr        = 'sem(model_pd, data = pd, estimator = "MLR")',
  pd_ml_stdlv   = 'sem(model_pd, data = pd, estimator = "ML", std.lv = TRUE)',
  pd_mlr_stdlv  = 'sem(model_pd, data = pd, estimator = "MLR", std.lv = TRUE)'
)
fits <- list()
for (nm in names(pd_calls)) {
  fits[[nm]] <- run(pd_calls[[nm]])
  out$cases[[nm]] <- fit_summary(fits[[nm]], pd_calls[[nm]],
                                 list(model = "political_democracy", data = "political_democracy.csv"))
  add_calls(pd_calls[[nm]])
}
message("a. done")

# ================================================================= b. HS CFA ==
model_hs <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  speed   =~ x7 + x8 + x9
'
out$models$hs_cfa <- model_hs
hs_calls <- list(
  hs_cfa_ml       = 'cfa(model_hs, data = hs)',
  hs_cfa_ml_stdlv = 'cfa(model_hs, data = hs, std.lv = TRUE)',
  hs_cfa_mlr      = 'cfa(model_hs, data = hs, estimator = "MLR")'
)
for (nm in names(hs_calls)) {
  fits[[nm]] <- run(hs_calls[[nm]])
  add_calls(hs_calls[[nm]])
  out$cases[[nm]] <- fit_summary(fits[[nm]], hs_calls[[nm]],
                                 list(model = "hs_cfa", data = "holzinger_swineford.csv"))
}
fit <- fits$hs_cfa_ml
mi <- as.data.frame(modindices(fit))
res_raw <- residuals(fit, type = "raw")
res_cor <- residuals(fit, type = "cor")
res_std <- residuals(fit, type = "standardized")
res_nc  <- residuals(fit, type = "normalized")
diag_calls <- c(
  'modindices(fit)  # fit = cfa(model_hs, data = hs); defaults: sort. = FALSE, minimum.value = 0',
  'fitted(fit)$cov', 'residuals(fit, type = "raw")', 'residuals(fit, type = "cor")',
  'residuals(fit, type = "standardized")', 'residuals(fit, type = "normalized")',
  'lavInspect(fit, "r2")', 'lavInspect(fit, "sampstat")$cov', 'lavInspect(fit, "vcov")',
  'lavInspect(fit, "std")$lambda', 'lavInspect(fit, "cor.lv")')
add_calls(diag_calls)
out$cases$hs_cfa_ml$diagnostics <- list(
  calls = I(diag_calls),
  modindices = mi[, intersect(c("lhs", "op", "rhs", "block", "group", "level", "mi", "epc",
                                "sepc.lv", "sepc.all", "sepc.nox"), names(mi))],
  implied_cov = unclass(fitted(fit)$cov),
  sample_cov = unclass(lavInspect(fit, "sampstat")$cov),
  sample_cov_note = "sample covariance with divisor N (lavaan ML default likelihood='normal')",
  residuals_raw = list(type = res_raw$type, cov = unclass(res_raw$cov)),
  residuals_cor = list(type = res_cor$type, cov = unclass(res_cor$cov)),
  residuals_standardized = list(type = res_std$type, cov = unclass(res_std$cov)),
  residuals_normalized = list(type = res_nc$type, cov = unclass(res_nc$cov)),
  r2 = unclass(lavInspect(fit, "r2")),
  vcov = unclass(lavInspect(fit, "vcov")),
  std_lambda = unclass(lavInspect(fit, "std")$lambda),
  cor_lv = unclass(lavInspect(fit, "cor.lv"))
)
fit <- fits$hs_cfa_ml_stdlv
out$cases$hs_cfa_ml_stdlv$diagnostics <- list(
  implied_cov = unclass(fitted(fit)$cov),
  r2 = unclass(lavInspect(fit, "r2")),
  modindices = as.data.frame(modindices(fit))[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")]
)
message("b. done")

# ======================================================= c. fixed.x covariates ==
model_fx <- '
  visual  =~ x1 + x2 + x3
  textual =~ x4 + x5 + x6
  visual  ~ ageyr + sex
  textual ~ visual + ageyr
'
out$models$hs_fixed_x <- model_fx
cl <- 'sem(model_fx, data = hs, estimator = "ML")'
add_calls(cl)
fits$hs_fixed_x_ml <- run(cl)
out$cases$hs_fixed_x_ml <- fit_summary(fits$hs_fixed_x_ml, cl,
  list(model = "hs_fixed_x", data = "holzinger_swineford.csv",
       note = "fixed.x = TRUE (default): ageyr and sex are exogenous observed covariates; their (co)variances appear in the table as fixed at sample values (se = 0/NA)",
       r2 = unclass(lavInspect(fits$hs_fixed_x_ml, "r2")),
       implied_cov = unclass(fitted(fits$hs_fixed_x_ml)$cov)))
message("c. done")

# ================================================================= d. FIML ====
set.seed(42)
hs_miss <- hs_src
xs <- paste0("x", 1:9)
n <- nrow(hs_miss)
mcar <- matrix(runif(n * 9) < 0.10, n, 9)           # ~10% MCAR in every x1..x9
u_mar <- runif(n)
x1_high <- hs_src$x1 > quantile(hs_src$x1, 2/3)      # upper third of (original) x1
mar_x3 <- !mcar[, 1] & x1_high & (u_mar < 0.40)     # extra x3 missingness where x1 observed and high
for (j in 1:9) hs_miss[[xs[j]]][mcar[, j]] <- NA
hs_miss$x3[mar_x3] <- NA
stopifnot(all(rowSums(!is.na(hs_miss[, xs])) > 0))
miss_recipe <- paste(
  "set.seed(42); hs_miss <- lavaan::HolzingerSwineford1939; n <- 301;",
  "mcar <- matrix(runif(n * 9) < 0.10, n, 9); u_mar <- runif(n);",
  "x1_high <- x1 > quantile(x1, 2/3) (original x1);",
  "x_j[mcar[, j]] <- NA for j = 1..9;",
  "then additionally x3[!mcar[, 1] & x1_high & u_mar < 0.40] <- NA (MAR on observed x1)")
write_csv_exact(hs_miss, file.path(data_dir, "hs_missing.csv"))
hs_m <- read.csv(file.path(data_dir, "hs_missing.csv"), stringsAsFactors = FALSE)
out$data_files$hs_missing.csv <- list(
  source = "lavaan::HolzingerSwineford1939 with generated missingness", seed = 42L,
  recipe = miss_recipe, n = nrow(hs_m), columns = I(names(hs_m)),
  missing_per_variable = sapply(hs_m[, xs], function(v) sum(is.na(v))),
  complete_cases_x1_x9 = sum(complete.cases(hs_m[, xs])),
  r_read = "hs_m <- read.csv('../data/hs_missing.csv', stringsAsFactors = FALSE)")
fiml_calls <- list(
  hs_fiml_ml  = 'cfa(model_hs, data = hs_m, missing = "ml")',
  hs_fiml_mlr = 'cfa(model_hs, data = hs_m, estimator = "MLR", missing = "ml")',
  hs_listwise_ml = 'cfa(model_hs, data = hs_m)'
)
for (nm in names(fiml_calls)) {
  fits[[nm]] <- run(fiml_calls[[nm]])
  add_calls(fiml_calls[[nm]])
  out$cases[[nm]] <- fit_summary(fits[[nm]], fiml_calls[[nm]],
                                 list(model = "hs_cfa", data = "hs_missing.csv"))
}
out$cases$hs_fiml_ml$coverage <- unclass(lavInspect(fits$hs_fiml_ml, "coverage"))
out$cases$hs_fiml_ml$n_patterns <- nrow(lavInspect(fits$hs_fiml_ml, "patterns"))
out$cases$hs_fiml_ml$implied <- list(cov = unclass(fitted(fits$hs_fiml_ml)$cov),
                                     mean = unclass(fitted(fits$hs_fiml_ml)$mean))
out$cases$hs_fiml_ml$h1_em <- list(
  note = "unrestricted (H1) saturated estimates via EM: lavInspect(fit, 'sampstat.h1')",
  cov = unclass(lavInspect(fits$hs_fiml_ml, "sampstat.h1")$cov),
  mean = unclass(lavInspect(fits$hs_fiml_ml, "sampstat.h1")$mean))
message("d. done")

# =========================================================== e. mediation =====
set.seed(1)
n_med <- 400
sim_ind <- function(f, lam, prefix) {
  m <- sapply(seq_along(lam), function(k) 3 + lam[k] * f + rnorm(length(f), 0, sqrt(1 - lam[k]^2)))
  colnames(m) <- paste0(prefix, seq_along(lam)); m
}
PB  <- rnorm(n_med)
M1f <- 0.50 * PB + rnorm(n_med, 0, sqrt(1 - 0.50^2))
M2f <- 0.40 * PB + rnorm(n_med, 0, sqrt(1 - 0.40^2))
RESf <- 0.20 * PB + 0.35 * M1f + 0.30 * M2f + rnorm(n_med, 0, sqrt(0.55))
med <- data.frame(
  sim_ind(PB,  c(0.80, 0.75, 0.70), "pb"),
  sim_ind(M1f, c(0.80, 0.70, 0.75), "m1"),
  sim_ind(M2f, c(0.75, 0.80, 0.70), "m2"),
  sim_ind(RESf / sqrt(var(RESf)), c(0.80, 0.75, 0.80), "r"))
names(med) <- c("pb1", "pb2", "pb3", "m1a", "m1b", "m1c", "m2a", "m2b", "m2c", "r1", "r2", "r3")
med[] <- lapply(med, function(v) round(v, 4))
med_recipe <- paste(
  "set.seed(1); n = 400; PB ~ N(0,1); M1 = .50*PB + N(0, sqrt(1-.25)); M2 = .40*PB + N(0, sqrt(1-.16));",
  "RES = .20*PB + .35*M1 + .30*M2 + N(0, sqrt(.55)); indicator_k = 3 + lambda_k*F + N(0, sqrt(1-lambda_k^2))",
  "(RES standardised by its sample sd before generating r1..r3); loadings pb .80/.75/.70, m1 .80/.70/.75, m2 .75/.80/.70, r .80/.75/.80;",
  "indicators generated in the order PB, M1, M2, RES (column by column); values rounded to 4 decimals. See sem_lavaan.R for exact code.")
write_csv_exact(med, file.path(data_dir, "mediation.csv"))
med <- read.csv(file.path(data_dir, "mediation.csv"))
out$data_files$mediation.csv <- list(source = "simulated in sem_lavaan.R", seed = 1L, recipe = med_recipe,
  n = nrow(med), columns = I(names(med)),
  r_read = "med <- read.csv('../data/mediation.csv')")
model_med <- '
  PB  =~ pb1 + pb2 + pb3
  M1  =~ m1a + m1b + m1c
  M2  =~ m2a + m2b + m2c
  RES =~ r1 + r2 + r3
  M1  ~ a1*PB
  M2  ~ a2*PB
  RES ~ c*PB + b1*M1 + b2*M2
  ind1 := a1*b1
  ind2 := a2*b2
  total_ind := ind1 + ind2
  total := c + ind1 + ind2
'
out$models$mediation <- model_med
cl <- 'sem(model_med, data = med)'
add_calls(cl)
fits$mediation_ml <- run(cl)
out$cases$mediation_ml <- fit_summary(fits$mediation_ml, cl, list(model = "mediation", data = "mediation.csv"))

cl_boot <- 'sem(model_med, data = med, se = "bootstrap", bootstrap = 1000)'
add_calls('set.seed(123)', cl_boot)
set.seed(123)
boot_time <- system.time(fit_boot <- run(cl_boot))
pe_perc <- pe_records(fit_boot, boot.ci.type = "perc")
pe_bca  <- pe_records(fit_boot, boot.ci.type = "bca.simple")
pe_norm <- pe_records(fit_boot, boot.ci.type = "norm")
def_rows <- pe_perc$op == ":="
bt <- lavInspect(fit_boot, "boot")
add_calls('parameterEstimates(fit_boot, standardized = TRUE, boot.ci.type = "perc")',
          'parameterEstimates(fit_boot, standardized = TRUE, boot.ci.type = "bca.simple")',
          'parameterEstimates(fit_boot, standardized = TRUE, boot.ci.type = "norm")')
out$cases$mediation_bootstrap <- list(
  call = cl_boot, seed = 123L, seed_call = "set.seed(123) immediately before the sem() call",
  bootstrap_seconds = unname(boot_time[["elapsed"]]),
  n_boot_requested = 1000L, n_boot_ok = nrow(bt),
  note = "est identical to ML fit; se = sd of bootstrap draws; CIs depend on R's RNG stream - compare with tolerance only",
  parameter_estimates_perc = pe_perc,
  parameter_estimates_bca_simple = pe_bca,
  parameter_estimates_norm = pe_norm,
  defined_perc = pe_perc[def_rows, c("lhs", "op", "rhs", "label", "est", "se", "ci.lower", "ci.upper")],
  defined_bca_simple = pe_bca[def_rows, c("lhs", "op", "rhs", "label", "est", "se", "ci.lower", "ci.upper")],
  fit_measures = fm_list(fit_boot)
)
message("e. done (bootstrap ", round(boot_time[["elapsed"]], 1), " s)")

# ======================================================= f. multi-group MI ====
mg_steps <- list(
  configural = 'cfa(model_hs, data = hs, group = "school")',
  metric     = 'cfa(model_hs, data = hs, group = "school", group.equal = "loadings")',
  scalar     = 'cfa(model_hs, data = hs, group = "school", group.equal = c("loadings", "intercepts"))',
  strict     = 'cfa(model_hs, data = hs, group = "school", group.equal = c("loadings", "intercepts", "residuals"))',
  means      = 'cfa(model_hs, data = hs, group = "school", group.equal = c("loadings", "intercepts", "residuals", "means"))'
)
mg_fit <- list()
mg_out <- list(model = "hs_cfa", data = "holzinger_swineford.csv", group = "school",
               steps = list(), lrt = list(), mlr_steps = list(), mlr_lrt = list())
key_fm <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr")
key_fm_mlr <- c("chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
                "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled",
                "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
                "rmsea.ci.upper.robust", "srmr")
for (nm in names(mg_steps)) {
  mg_fit[[nm]] <- run(mg_steps[[nm]])
  add_calls(mg_steps[[nm]])
  s <- fit_summary(mg_fit[[nm]], mg_steps[[nm]])
  s$key_fit_measures <- as.list(fitMeasures(mg_fit[[nm]], key_fm))
  mg_out$steps[[nm]] <- s
}
lrt_df <- function(tab) {
  d <- as.data.frame(tab)
  d <- cbind(model = rownames(d), d, stringsAsFactors = FALSE)
  rownames(d) <- NULL
  d
}
nms <- names(mg_steps)
for (i in 2:length(nms)) {
  cl <- sprintf("lavTestLRT(mg_fit$%s, mg_fit$%s)", nms[i - 1], nms[i])
  add_calls(cl)
  tab <- run(cl)
  mg_out$lrt[[paste0(nms[i - 1], "_vs_", nms[i])]] <- list(
    call = cl, steps = I(c(nms[i - 1], nms[i])), heading = paste(attr(tab, "heading"), collapse = "\n"), table = lrt_df(tab))
}
mlr_steps <- list(
  configural = 'cfa(model_hs, data = hs, group = "school", estimator = "MLR")',
  metric     = 'cfa(model_hs, data = hs, group = "school", estimator = "MLR", group.equal = "loadings")',
  scalar     = 'cfa(model_hs, data = hs, group = "school", estimator = "MLR", group.equal = c("loadings", "intercepts"))'
)
mg_fit_mlr <- list()
for (nm in names(mlr_steps)) {
  mg_fit_mlr[[nm]] <- run(mlr_steps[[nm]])
  add_calls(mlr_steps[[nm]])
  s <- fit_summary(mg_fit_mlr[[nm]], mlr_steps[[nm]])
  s$key_fit_measures <- as.list(fitMeasures(mg_fit_mlr[[nm]], key_fm_mlr))
  mg_out$mlr_steps[[nm]] <- s
}
nms <- names(mlr_steps)
for (i in 2:length(nms)) {
  cl <- sprintf("lavTestLRT(mg_fit_mlr$%s, mg_fit_mlr$%s)", nms[i - 1], nms[i])
  add_calls(cl)
  tab <- run(cl)
  mg_out$mlr_lrt[[paste0(nms[i - 1], "_vs_", nms[i])]] <- list(
    call = cl, steps = I(c(nms[i - 1], nms[i])), method = "default for MLR (satorra.bentler.2001 scaled difference)",
    heading = paste(attr(tab, "heading"), collapse = "\n"), table = lrt_df(tab))
}
out$cases$hs_multigroup <- mg_out
message("f. done")

# ============================================================== g. timings ====
n_rep <- 20L
time_calls <- list(
  hs_cfa_ml = 'cfa(model_hs, data = hs)',
  political_democracy_ml = 'sem(model_pd, data = pd, estimator = "ML")',
  mediation_ml = 'sem(model_med, data = med)'
)
timings <- list()
for (nm in names(time_calls)) {
  invisible(run(time_calls[[nm]]))  # warm-up
  expr <- parse(text = time_calls[[nm]])
  tt <- system.time(for (i in seq_len(n_rep)) eval(expr, envir = globalenv()))
  timings[[nm]] <- list(call = time_calls[[nm]], n_rep = n_rep,
                        total_elapsed_seconds = unname(tt[["elapsed"]]),
                        mean_seconds_per_fit = unname(tt[["elapsed"]]) / n_rep,
                        mean_user_cpu_seconds_per_fit = unname(tt[["user.self"]]) / n_rep)
}
timings$mediation_bootstrap_1000 <- list(call = cl_boot, elapsed_seconds = unname(boot_time[["elapsed"]]))
timings$machine <- list(nodename_hidden = TRUE, sysname = Sys.info()[["sysname"]],
                        release = Sys.info()[["release"]], cores = parallel::detectCores(),
                        note = "one warm-up fit, then system.time() around 20 sequential fits; mean = elapsed/20")
out$timings <- timings
out$bootstrap_seconds <- unname(boot_time[["elapsed"]])
message("g. done")

out$calls <- I(unlist(out$calls))
write_golden(out, "sem_lavaan.json")
