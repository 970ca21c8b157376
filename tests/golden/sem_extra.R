# Extra golden values for the resilience_stats SEM engine (beyond sem_lavaan.R):
# modification indices on structural models, observed-variable path models with a mean structure,
# MLR with fixed.x, equality constraints, a second-order factor and a CFA with a mean structure.
# Run:  cd tests/golden && Rscript sem_extra.R      -> writes sem_extra.json (reads ../data/*.csv)
source("_golden_helpers.R")
suppressPackageStartupMessages(library(lavaan))

pd <- read.csv(file.path("..", "data", "political_democracy.csv"))
hs <- read.csv(file.path("..", "data", "holzinger_swineford.csv"), stringsAsFactors = FALSE)
med <- read.csv(file.path("..", "data", "mediation.csv"))
hs_m <- read.csv(file.path("..", "data", "hs_missing.csv"), stringsAsFactors = FALSE)
# sem_heywood.csv: N = 60 simulated (numpy) data whose ML solution has a negative factor variance
hw <- read.csv(file.path("..", "data", "sem_heywood.csv"))

models <- list(
  political_democracy = '
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + y2 + y3 + y4
    dem65 =~ y5 + y6 + y7 + y8
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
  ',
  mediation = '
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
  ',
  path = '
    y1 ~ a*x1 + x2
    y5 ~ b*y1 + c*x1
    y1 ~ 1
    ind := a*b
    tot := c + a*b
    ratio := a*b/(c + a*b)
  ',
  hs_equal = '
    visual  =~ x1 + a*x2 + a*x3
    textual =~ x4 + b*x5 + c*x6
    speed   =~ x7 + x8 + x9
    b == c
  ',
  hs_second_order = '
    visual  =~ x1 + x2 + x3
    textual =~ x4 + x5 + x6
    speed   =~ x7 + x8 + x9
    g =~ visual + textual + speed
  ',
  hs_cfa = '
    visual  =~ x1 + x2 + x3
    textual =~ x4 + x5 + x6
    speed   =~ x7 + x8 + x9
  ',
  hs_manual_std = '
    visual  =~ NA*x1 + x2 + x3
    textual =~ x4 + x5 + x6
    speed   =~ x7 + start(0.5)*x8 + x9
    visual ~~ 1*visual
    x1 ~~ x4
  ',
  hs_cross_equal = '
    visual  =~ x1 + a*x2 + x3
    textual =~ x4 + a*x5 + x6
    speed   =~ x7 + x8 + x9
    visual ~~ 0*speed
  ',
  hs_random_x = '
    visual  =~ x1 + x2 + x3
    textual =~ x4 + x5 + x6
    visual  ~ ageyr + sex
    textual ~ visual
    ageyr ~~ ageyr
  ',
  heywood = 'F =~ a + b + c + d',
  path_hs = '
    x4 ~ a*x1 + x2
    x7 ~ b*x4 + c*x1
    ind := a*b
  ',
  hs_fixed_x = '
    visual  =~ x1 + x2 + x3
    textual =~ x4 + x5 + x6
    visual  ~ ageyr + sex
    textual ~ visual + ageyr
  '
)
for (nm in names(models)) assign(paste0("model_", nm), models[[nm]])

calls <- list(
  pd_ml_mi          = list(call = 'sem(model_political_democracy, data = pd)', data = "political_democracy.csv", model = "political_democracy"),
  mediation_ml_mi   = list(call = 'sem(model_mediation, data = med)', data = "mediation.csv", model = "mediation"),
  path_ml           = list(call = 'sem(model_path, data = pd)', data = "political_democracy.csv", model = "path"),
  path_mlr          = list(call = 'sem(model_path, data = pd, estimator = "MLR")', data = "political_democracy.csv", model = "path"),
  hs_equal_ml       = list(call = 'cfa(model_hs_equal, data = hs)', data = "holzinger_swineford.csv", model = "hs_equal"),
  hs_second_order_ml = list(call = 'cfa(model_hs_second_order, data = hs)', data = "holzinger_swineford.csv", model = "hs_second_order"),
  hs_meanstructure_ml = list(call = 'cfa(model_hs_cfa, data = hs, meanstructure = TRUE)', data = "holzinger_swineford.csv", model = "hs_cfa"),
  hs_meanstructure_mlr = list(call = 'cfa(model_hs_cfa, data = hs, meanstructure = TRUE, estimator = "MLR")', data = "holzinger_swineford.csv", model = "hs_cfa"),
  hs_manual_std_ml = list(call = 'cfa(model_hs_manual_std, data = hs)', data = "holzinger_swineford.csv", model = "hs_manual_std"),
  hs_orthogonal_ml = list(call = 'cfa(model_hs_cfa, data = hs, orthogonal = TRUE)', data = "holzinger_swineford.csv", model = "hs_cfa"),
  hs_cross_equal_ml = list(call = 'cfa(model_hs_cross_equal, data = hs)', data = "holzinger_swineford.csv", model = "hs_cross_equal"),
  hs_random_x_ml = list(call = 'sem(model_hs_random_x, data = hs)', data = "holzinger_swineford.csv", model = "hs_random_x"),
  hs_fixed_x_free_ml = list(call = 'sem(model_hs_fixed_x, data = hs, fixed.x = FALSE)', data = "holzinger_swineford.csv", model = "hs_fixed_x"),
  hs_fiml_mi = list(call = 'cfa(model_hs_cfa, data = hs_m, missing = "ml")', data = "hs_missing.csv", model = "hs_cfa"),
  heywood_ml = list(call = 'cfa(model_heywood, data = hw)', data = "sem_heywood.csv", model = "heywood"),
  hs_fixed_x_fiml = list(call = 'sem(model_hs_fixed_x, data = hs_m, missing = "ml")', data = "hs_missing.csv", model = "hs_fixed_x"),
  hs_fixed_x_fiml_mlr = list(call = 'sem(model_hs_fixed_x, data = hs_m, missing = "ml", estimator = "MLR")', data = "hs_missing.csv", model = "hs_fixed_x"),
  path_fiml = list(call = 'sem(model_path_hs, data = hs_m, missing = "ml")', data = "hs_missing.csv", model = "path_hs")
)

out <- c(meta_info(), list(description = "extra lavaan golden values for the SEM engine (see sem_extra.R)",
                           models = models, cases = list()))
for (nm in names(calls)) {
  cl <- calls[[nm]]
  fit <- run(cl$call)
  case <- fit_summary(fit, cl$call, list(model = cl$model, data = cl$data))
  if (grepl("_mi$", nm) || nm %in% c("path_ml", "hs_second_order_ml")) {
    mi <- as.data.frame(modindices(fit))
    case$modindices <- mi[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all")]
  }
  case$r2 <- unclass(lavInspect(fit, "r2"))
  out$cases[[nm]] <- case
}
write_golden(out, "sem_extra.json")
