# Golden reference values for the ordinal (WLSMV/ULSMV) and cluster-robust SEM issue (resilience_stats).
# Run:  cd tests/golden && Rscript sem_wlsmv.R
# Reads: tests/data/survey_ordinal.csv (simulated 5-point survey, written by
#        resilience_stats.example_survey(n=800, seed=11, missing_rate=0), columns community + 16 items),
#        tests/data/bfi.csv, tests/data/cluster_survey.csv
# Writes: tests/golden/sem_wlsmv.json

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
})
data_dir <- file.path("..", "data")
calls <- character(0)
out <- c(meta_info(), list(
  description = paste("lavaan WLSMV/ULSMV on a simulated 5-point survey (CFA and a structural model),",
                      "semTools::compRelSEM ordinal omega, cluster-robust ML/MLR.",
                      "parameter_estimates = parameterEstimates(fit, standardized=TRUE) records;",
                      "fit_measures = fitMeasures(fit)."),
  cases = list()))

surv <- read.csv(file.path(data_dir, "survey_ordinal.csv"))
items <- surv[, -1]
model_s4 <- '
  net   =~ net1 + net2 + net3 + net4
  norm  =~ norm1 + norm2 + norm3 + norm4
  trust =~ trust1 + trust2 + trust3 + trust4
  stab  =~ stab1 + stab2 + stab3 + stab4
'
model_sem <- '
  net   =~ net1 + net2 + net3 + net4
  trust =~ trust1 + trust2 + trust3 + trust4
  stab  =~ stab1 + stab2 + stab3 + stab4
  stab ~ net + trust
'
bfi <- read.csv(file.path(data_dir, "bfi.csv"))[, 1:25]
model_b5 <- '
  A =~ A1 + A2 + A3 + A4 + A5
  C =~ C1 + C2 + C3 + C4 + C5
  E =~ E1 + E2 + E3 + E4 + E5
  N =~ N1 + N2 + N3 + N4 + N5
  O =~ O1 + O2 + O3 + O4 + O5
'
clus <- read.csv(file.path(data_dir, "cluster_survey.csv"))
model_cl <- '
  f1 =~ y1 + y2 + y3
  f2 =~ y4 + y5 + y6
'
model_con <- '
  net   =~ net1 + net2 + net3 + net4
  trust =~ trust1 + a*trust2 + a*trust3 + trust4
  net1 ~~ net2
  trust1 | t1 + t2 + t3 + t4
'
mixed <- read.csv(file.path(data_dir, "ordinal_mixed.csv"))
likert <- read.csv(file.path(data_dir, "ordinal_clustered_likert.csv"))[, -1]
model_mixed <- 'f =~ y1 + y2 + y3 + y4 + y5 + y6'
model_likert <- '
  a =~ a1 + a2 + a3
  b =~ b1 + b2 + b3 + b4
'
cases <- list(
  mixed_categories_wlsmv = 'cfa(model_mixed, data = mixed, ordered = TRUE, estimator = "WLSMV")',
  likert_wlsmv = 'cfa(model_likert, data = likert, ordered = TRUE, estimator = "WLSMV")',
  survey_wlsmv_constraints = 'cfa(model_con, data = items, ordered = TRUE, estimator = "WLSMV")',
  survey_wlsmv = 'cfa(model_s4, data = items, ordered = TRUE, estimator = "WLSMV")',
  survey_wlsmv_stdlv = 'cfa(model_s4, data = items, ordered = TRUE, estimator = "WLSMV", std.lv = TRUE)',
  survey_ulsmv = 'cfa(model_s4, data = items, ordered = TRUE, estimator = "ULSMV")',
  survey_sem_wlsmv = 'sem(model_sem, data = items, ordered = TRUE, estimator = "WLSMV")',
  cluster_ml = 'cfa(model_cl, data = clus, cluster = "cid", estimator = "ML")',
  cluster_mlr_sem = 'sem("f1 =~ y1 + y2 + y3\n f2 =~ y4 + y5 + y6\n f2 ~ f1", data = clus, cluster = "cid", estimator = "MLR")'
)
for (nm in names(cases)) {
  calls <- c(calls, cases[[nm]])
  tt <- system.time(fit <- run(cases[[nm]]))
  tst <- lavInspect(fit, "test")
  extra <- list(seconds = unname(tt[["elapsed"]]))
  if (length(tst) > 1) {
    ss <- tst[[2]]
    extra$scaled_test <- list(test = ss$test, stat = ss$stat, df = ss$df, pvalue = ss$pvalue,
                              scaling_factor = ss$scaling.factor,
                              shift_parameter = if (is.null(ss$shift.parameter)) NULL else ss$shift.parameter,
                              standard_stat = tst$standard$stat)
  }
  if (grepl("ordered", cases[[nm]])) {
    extra$thresholds <- lavInspect(fit, "th")
    extra$r2 <- unclass(lavInspect(fit, "r2"))
  }
  out$cases[[nm]] <- fit_summary(fit, cases[[nm]], extra)
  message(nm, " done")
}

# ordinal omega (Green & Yang 2009) as semTools 0.5-6 compRelSEM computes it for ordered indicators
omega_calls <- list(
  survey = list(fit = 'cfa(model_s4, data = items, ordered = TRUE, estimator = "WLSMV")'),
  bfi = list(fit = 'cfa(model_b5, data = bfi, ordered = TRUE, estimator = "WLSMV")')
)
out$omega <- list()
for (nm in names(omega_calls)) {
  fit <- run(omega_calls[[nm]]$fit)
  rel <- compRelSEM(fit)
  out$omega[[nm]] <- list(call = omega_calls[[nm]]$fit, compRelSEM = as.list(rel))
}
out$models <- list(mixed = model_mixed, likert = model_likert, survey_constraints = model_con, survey_cfa = model_s4, survey_sem = model_sem, big_five = model_b5, cluster_cfa = model_cl)
out$calls <- I(calls)
write_golden(out, "sem_wlsmv.json")
