# Golden reference values for two-level SEM with missing data (FIML, lavaan's `missing = "ml"` with cluster =),
# beyond case demo_missing_fiml_ml of sem_twolevel.json:
#   1. demo_ind (between-level mediation w1 -> w2 -> fb; w2 is a between-only ENDOGENOUS variable) on
#      demo_twolevel_missing.csv with w2 also missing in every row of ~15% of the clusters (missing z values);
#   2. the community survey with ~8% MCAR on the six resident items;
#   3. (data only) the same plus 12 residents without any item answer (lavaan: "empty" cases, ignored, not counted
#      in N; pbl_c still observed) and 2 residents of community 5 without pbl_c (a fixed-x covariate: lavaan deletes
#      those rows). lavaan 0.6-14 does not converge on these data (its optimizer runs off to gradients of 1e21,
#      recorded under `lavaan_failed`); sem_twolevel_fiml_dev.R fits them with a newer lavaan.
# lavaan 0.6-14 (ML; its MLR fails for two-level FIML, see sem_twolevel.json `lavaan_refused`). The robust (MLR)
# values come from a newer lavaan, see sem_twolevel_fiml_dev.R.
# Run:  cd tests/golden && Rscript sem_twolevel_fiml.R   -> writes sem_twolevel_fiml.json (about 4 minutes)
# Reads: sem_twolevel.json (models), ../data/demo_twolevel_missing.csv, ../data/twolevel_survey.csv
# Writes once (byte-identical when regenerated): ../data/demo_twolevel_missing_z.csv, ../data/twolevel_survey_missing.csv,
#       ../data/twolevel_survey_missing_empty.csv

source("_golden_helpers.R")
suppressPackageStartupMessages(library(lavaan))

data_dir <- file.path("..", "data")
out <- c(meta_info(), list(
  description = paste(
    "lavaan golden values for two-level FIML (missing = 'ml' with cluster =). Each case: call, model (key of",
    "`models`), data (CSV in tests/data), converged, options, parameter_estimates = parameterEstimates(fit,",
    "standardized = TRUE) records, fit_measures = fitMeasures(fit) (NA -> null), warnings of the fit call, nobs,",
    "nclusters, h1 (lavInspect 'h1'), icc, elapsed_seconds (one fit, not a benchmark)."),
  seeds = list(), data_files = list(), models = list(), calls = list(), cases = list(), lavaan_failed = list()))

# ===================================================================== data ====
dtm <- read.csv(file.path(data_dir, "demo_twolevel_missing.csv"))
seed_z <- 1515L
set.seed(seed_z)
gone <- sort(unique(dtm$cluster)[runif(length(unique(dtm$cluster))) < 0.15])
dtmz_src <- dtm
dtmz_src$w2[dtmz_src$cluster %in% gone] <- NA
dtmz <- write_once_csv(dtmz_src, "demo_twolevel_missing_z.csv")
out$seeds$demo_twolevel_missing_z <- seed_z
out$data_files$demo_twolevel_missing_z.csv <- list(
  source = "demo_twolevel_missing.csv with w2 missing in every row of the clusters drawn with probability 0.15",
  recipe = paste("dtm <- read.csv('../data/demo_twolevel_missing.csv'); set.seed(1515);",
                 "gone <- sort(unique(dtm$cluster)[runif(length(unique(dtm$cluster))) < 0.15]);",
                 "dtm$w2[dtm$cluster %in% gone] <- NA"),
  clusters_without_w2 = I(gone), n = nrow(dtmz), columns = I(names(dtmz)),
  r_read = "dtmz <- read.csv('../data/demo_twolevel_missing_z.csv')")

sv <- read.csv(file.path(data_dir, "twolevel_survey.csv"))
seed_sv <- 1616L
set.seed(seed_sv)
items <- c(paste0("net", 1:3), paste0("res", 1:3))
svm_src <- sv
for (v in items) svm_src[[v]][runif(nrow(svm_src)) < 0.08] <- NA
svm <- write_once_csv(svm_src, "twolevel_survey_missing.csv")
empty_rows <- sort(sample(nrow(svm_src), 12))
svm_src[empty_rows, items] <- NA
nox_rows <- which(svm_src$community == 5)[2:3]
svm_src$pbl_c[nox_rows] <- NA
svme <- write_once_csv(svm_src, "twolevel_survey_missing_empty.csv")
out$seeds$twolevel_survey_missing <- seed_sv
out$data_files$twolevel_survey_missing.csv <- list(
  source = "twolevel_survey.csv with MCAR missingness (p = 0.08) in net1-3/res1-3",
  recipe = paste("sv <- read.csv('../data/twolevel_survey.csv'); set.seed(1616); items <- c(paste0('net', 1:3),",
                 "paste0('res', 1:3)); for (v in items) sv[[v]][runif(nrow(sv)) < 0.08] <- NA"),
  n = nrow(svm), columns = I(names(svm)), r_read = "svm <- read.csv('../data/twolevel_survey_missing.csv')")
out$data_files$twolevel_survey_missing_empty.csv <- list(
  source = paste("twolevel_survey_missing.csv plus 12 rows without any item value (pbl_c observed) and pbl_c missing",
                 "in rows 2-3 of community 5"),
  recipe = paste("continuing the recipe of twolevel_survey_missing.csv (same RNG stream):",
                 "empty_rows <- sort(sample(nrow(sv), 12)); sv[empty_rows, items] <- NA;",
                 "sv$pbl_c[which(sv$community == 5)[2:3]] <- NA"),
  empty_rows = I(empty_rows), pbl_c_missing_rows = I(nox_rows), n = nrow(svme), columns = I(names(svme)),
  r_read = "svme <- read.csv('../data/twolevel_survey_missing_empty.csv')")

# ================================================================== cases ====
source("_twolevel_fiml_case.R")  # model_demo, model_demo_ind, model_survey (sem_twolevel.json) and add_case()
add_case("demo_ind_missing_z_ml", 'sem(model_demo_ind, data = dtmz, cluster = "cluster", missing = "ml")', "demo_ind",
         "demo_twolevel_missing_z.csv")
add_case("survey_missing_ml", 'sem(model_survey, data = svm, cluster = "community", missing = "ml")', "survey",
         "twolevel_survey_missing.csv")
# lavaan 0.6-14 does not converge on the data with empty rows and rows without the fixed-x covariate
failed_call <- 'sem(model_survey, data = svme, cluster = "community", missing = "ml")'
r <- run_w(failed_call)
stopifnot(!inherits(r$value, "error"), !lavInspect(r$value, "converged"))
out$lavaan_failed$survey_missing_empty_ml <- list(
  call = failed_call, model = "survey", data = "twolevel_survey_missing_empty.csv", warnings = I(r$warnings),
  converged = FALSE, max_abs_gradient = max(abs(lavInspect(r$value, "optim.gradient"))),
  note = "fitted with a newer lavaan in sem_twolevel_fiml_dev.json (case survey_missing_empty_mlr)")
out$calls <- c(out$calls, list(failed_call))
out$calls <- I(unlist(out$calls))
write_golden(out, "sem_twolevel_fiml.json")
