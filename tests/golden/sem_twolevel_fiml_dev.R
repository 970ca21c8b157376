# Golden reference values for two-level FIML with ROBUST (MLR) standard errors and test, from a development
# version of lavaan: lavaan 0.6-14 (the version of the other golden files) stops with "infinite or missing values
# in 'x'" for `sem(..., cluster =, missing = "ml", estimator = "MLR")` (sem_twolevel.json `lavaan_refused`);
# lavaan 0.7-2.3170 (GitHub yrosseel/lavaan, commit 828e6ec0bef80a36a02c5324fa43230a38ed486b) computes it.
# The ML case demo_missing_fiml_ml is repeated to show that the development version gives 0.6-14's ML values.
# Install that lavaan into a separate library first (it is pure R; its dependencies are 0.6-14's):
#   (a clone of the GitHub repository yrosseel/lavaan, checked out at 828e6ec0bef80a36a02c5324fa43230a38ed486b)
#   mkdir -p /tmp/lavdev/lib && R CMD INSTALL --no-docs -l /tmp/lavdev/lib lavaan
# Run:  cd tests/golden && LAVAAN_DEV_LIB=/tmp/lavdev/lib Rscript sem_twolevel_fiml_dev.R
#       -> writes sem_twolevel_fiml_dev.json (about 15 minutes: lavaan's two-level FIML sandwich is slow)
# Reads: sem_twolevel.json (models), ../data/demo_twolevel_missing.csv, ../data/demo_twolevel_missing_z.csv,
#        ../data/twolevel_survey_missing.csv, ../data/twolevel_survey_missing_empty.csv (the last three are written
#        by sem_twolevel_fiml.R)

source("_golden_helpers.R")
lib <- Sys.getenv("LAVAAN_DEV_LIB")
if (!nzchar(lib)) stop("set LAVAAN_DEV_LIB to the library holding the development lavaan (see the header)")
suppressPackageStartupMessages(library(lavaan, lib.loc = lib))
stopifnot(as.character(packageVersion("lavaan", lib.loc = lib)) == "0.7.2.3170")

data_dir <- file.path("..", "data")
meta <- meta_info()
meta$lavaan_version <- as.character(packageVersion("lavaan", lib.loc = lib))
out <- c(meta, list(
  lavaan_source = "GitHub yrosseel/lavaan at commit 828e6ec0bef80a36a02c5324fa43230a38ed486b (0.7-2.3170)",
  description = paste(
    "Two-level FIML fits from a development lavaan (MLR is refused by lavaan 0.6-14). Each case: call, model,",
    "data, converged, options, parameter_estimates (parameterEstimates(fit, standardized = TRUE)), fit_measures",
    "(fitMeasures, NA -> null), warnings, nobs, nclusters, h1 (lavInspect 'h1'), icc, vcov, elapsed_seconds",
    "(one fit)."),
  models = list(), calls = list(), cases = list()))

dtm <- read.csv(file.path(data_dir, "demo_twolevel_missing.csv"))
dtmz <- read.csv(file.path(data_dir, "demo_twolevel_missing_z.csv"))
svm <- read.csv(file.path(data_dir, "twolevel_survey_missing.csv"))
svme <- read.csv(file.path(data_dir, "twolevel_survey_missing_empty.csv"))

source("_twolevel_fiml_case.R")  # model_demo, model_demo_ind, model_survey (sem_twolevel.json) and add_case()
add_case("demo_missing_fiml_ml", 'sem(model_demo, data = dtm, cluster = "cluster", missing = "ml")', "demo",
         "demo_twolevel_missing.csv")
add_case("demo_missing_fiml_mlr", 'sem(model_demo, data = dtm, cluster = "cluster", missing = "ml", estimator = "MLR")',
         "demo", "demo_twolevel_missing.csv")
add_case("survey_missing_mlr",
         'sem(model_survey, data = svm, cluster = "community", missing = "ml", estimator = "MLR")', "survey",
         "twolevel_survey_missing.csv")
add_case("survey_missing_empty_mlr",
         'sem(model_survey, data = svme, cluster = "community", missing = "ml", estimator = "MLR")', "survey",
         "twolevel_survey_missing_empty.csv")
add_case("demo_ind_missing_z_mlr",
         'sem(model_demo_ind, data = dtmz, cluster = "cluster", missing = "ml", estimator = "MLR")', "demo_ind",
         "demo_twolevel_missing_z.csv")

out$calls <- I(unlist(out$calls))
write_golden(out, "sem_twolevel_fiml_dev.json")
