# Golden reference values for multi-group ordinal (WLSMV) CFA and ordinal measurement invariance.
# Run:  cd tests/golden && Rscript sem_wlsmv_groups.R
# Reads: tests/data/ordinal_waves.csv (simulated two-wave 5-point survey: wave 2021 n=600, 2023 n=550;
#        8 items res1-4, net1-4; made with numpy, seed 20260 -- see tests/test_sem_wlsmv_groups.py)
# Writes: tests/golden/sem_wlsmv_groups.json

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(lavaan)
  library(semTools)
})
data_dir <- file.path("..", "data")
out <- c(meta_info(), list(
  description = paste("lavaan multi-group WLSMV (delta parameterization) on a simulated two-wave 5-point survey:",
                      "configural, group.equal thresholds / thresholds+loadings / +residuals, the",
                      "semTools::measEq.syntax Wu & Estabrook (2016) versions, and lavTestLRT between steps.",
                      "parameter_estimates = parameterEstimates(fit, standardized=TRUE) records;",
                      "fit_measures = fitMeasures(fit)."),
  cases = list(), lrt = list(), syntax = list()))

waves <- read.csv(file.path(data_dir, "ordinal_waves.csv"))
model <- '
  res =~ res1 + res2 + res3 + res4
  net =~ net1 + net2 + net3 + net4
'
cases <- list(
  configural = 'cfa(model, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV")',
  thresholds = 'cfa(model, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV", group.equal = "thresholds")',
  th_load = 'cfa(model, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV", group.equal = c("thresholds", "loadings"))',
  th_load_res = 'cfa(model, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV", group.equal = c("thresholds", "loadings", "residuals"))',
  th_load_uls = 'cfa(model, data = waves, ordered = TRUE, group = "wave", estimator = "ULSMV", group.equal = c("thresholds", "loadings"))',
  load_only = 'cfa(model, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV", group.equal = "loadings")',
  th_load_partial = 'cfa(model, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV", group.equal = c("thresholds", "loadings"), group.partial = c("res3 | t1", "res3 | t2", "res3 | t3", "res3 | t4"))'
)
fits <- list()
for (nm in names(cases)) {
  fit <- run(cases[[nm]])
  fits[[nm]] <- fit
  out$cases[[nm]] <- fit_summary(fit, cases[[nm]])
}
# semTools measEq.syntax, Wu & Estabrook (2016) identification
we <- list(
  we_configural = NULL,
  we_thresholds = c("thresholds"),
  we_th_load = c("thresholds", "loadings"),
  we_th_load_int = c("thresholds", "loadings", "intercepts")
)
for (nm in names(we)) {
  ge <- we[[nm]]
  syn <- measEq.syntax(configural.model = model, data = waves, ordered = TRUE, parameterization = "delta",
                       ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "wave",
                       group.equal = if (is.null(ge)) "" else ge, return.fit = FALSE)
  txt <- as.character(syn)
  out$syntax[[nm]] <- txt
  call_str <- 'cfa(txt, data = waves, ordered = TRUE, group = "wave", estimator = "WLSMV")'
  fit <- run(call_str)
  fits[[nm]] <- fit
  out$cases[[nm]] <- fit_summary(fit, paste0(call_str, "  # txt = measEq.syntax(group.equal = ",
                                                 deparse(ge), ", ID.cat = 'Wu.Estabrook.2016', ID.fac = 'std.lv')"))
}
lrt <- function(a, b, ...) {
  r <- as.data.frame(lavTestLRT(fits[[a]], fits[[b]], ...))
  list(models = I(c(a, b)), rownames = I(rownames(r)), table = r)
}
out$lrt$configural_thresholds <- lrt("configural", "thresholds")
out$lrt$thresholds_th_load <- lrt("thresholds", "th_load")
out$lrt$configural_th_load <- lrt("configural", "th_load")
out$lrt$configural_load_only <- lrt("configural", "load_only")
out$lrt$load_only_th_load <- lrt("load_only", "th_load")
out$lrt$th_load_partial_th_load <- lrt("th_load_partial", "th_load")
out$lrt$th_load_th_load_res <- lrt("th_load", "th_load_res")
out$lrt$we_th_load_we_th_load_int <- lrt("we_th_load", "we_th_load_int")
out$lrt$we_configural_we_th_load <- lrt("we_configural", "we_th_load")
out$lrt$configural_th_load_sb2010 <- lrt("configural", "th_load", method = "satorra.bentler.2010")
write_golden(out, "sem_wlsmv_groups.json")
