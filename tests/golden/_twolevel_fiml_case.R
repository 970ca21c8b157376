# Shared by sem_twolevel_fiml.R and sem_twolevel_fiml_dev.R (sourced after _golden_helpers.R and lavaan, with a
# global list `out` holding `models`, `calls` and `cases`): the models of sem_twolevel.json and the record of one
# two-level FIML fit.

for (nm in c("demo", "demo_ind", "survey")) {
  assign(paste0("model_", nm), jsonlite::fromJSON("sem_twolevel.json")$models[[nm]])
  out$models[[nm]] <- get(paste0("model_", nm))
}

# Fit `call_str` (must converge) and store parameterEstimates, fitMeasures, h1, icc, vcov and timing as out$cases[[name]].
add_case <- function(name, call_str, model, data) {
  out$calls <<- c(out$calls, list(call_str))
  t0 <- proc.time()[["elapsed"]]
  r <- run_w(call_str)
  elapsed <- proc.time()[["elapsed"]] - t0
  fit <- r$value
  if (inherits(fit, "error")) stop(name, ": ", conditionMessage(fit))
  stopifnot(lavInspect(fit, "converged"))
  rec <- suppressWarnings(fit_summary(fit, call_str, list(
    model = model, data = data, warnings = I(r$warnings), elapsed_seconds = elapsed,
    nclusters = lavInspect(fit, "nclusters"), h1 = uc(lavInspect(fit, "h1")), icc = uc(lavInspect(fit, "icc")),
    vcov = unclass(vcov(fit)))))
  out$cases[[name]] <<- rec
  message(name, " done (", round(elapsed, 2), " s)")
}
