# Golden reference values for sampling weights together with FIML (lavaan's `sampling.weights = "w"` with
# `missing = "ml"` / `"ml.x"`), beyond the two single-group cases of sem_twolevel.R (hs_w_fiml, hs_w_fiml_ml_lower):
#   1. multiple groups (group = "school"): default (-> MLR), lower-case "ml" (plain ML), MLR with
#      group.equal = c("loadings", "intercepts");
#   2. observed covariates with missing values (hs_missing_x.csv + the weight w): missing = "ml" with fixed.x = TRUE
#      (the cases with a missing covariate are deleted), missing = "ml.x" (kept; x fixed at the weighted EM moments),
#      fixed.x = FALSE;
#   3. unit weights (w = 1): lavaan's weighted FIML path, compared with the unweighted FIML fit;
#   4. cases without any observed value: lavaan's fit of the data with three empty rows and the fit of the same data
#      without those rows (lavaan counts the empty rows' weights when it normalizes the weights);
#   5. lavaan refits on the 20 fixed row resamples of hs_missing_boot_indices.csv (made by sem_spine.R) with the
#      resampled weights.
# Run:  cd tests/golden && Rscript sem_weights_fiml.R      -> writes sem_weights_fiml.json   (about 1 minute)
# Reads: sem_lavaan.json (`models$hs_cfa`), ../data/hs_missing_weights.csv (sem_twolevel.R), ../data/hs_missing_x.csv
#        and ../data/hs_missing_boot_indices.csv (sem_spine.R). Writes no data files.

source("_golden_helpers.R")
suppressPackageStartupMessages(library(lavaan))

data_dir <- file.path("..", "data")
out <- c(meta_info(), list(
  description = paste(
    "lavaan golden values for sampling weights with FIML (missing = 'ml' / 'ml.x').",
    "Each case: call, model (key of `models`), data (how the data frame is made, `data_recipes`), converged, options,",
    "parameter_estimates = parameterEstimates(fit, standardized = TRUE) records, fit_measures = fitMeasures(fit)",
    "complete (NA -> null), warnings (of the fit call), vcov, test (lavInspect 'test'), sampstat (lavInspect",
    "'sampstat': the weighted EM moments), nobs_weighted (fit@SampleStats@nobs, the sums of the normalized weights).",
    "Matrices are {rownames, colnames, data (row-major)}."),
  data_recipes = list(), models = list(), calls = list(), cases = list(), lavaan_refused = list(), checks = list(),
  bootstrap_replicates = list()))
add_call <- function(...) out$calls <<- c(out$calls, list(...))

# ===================================================================== data ====
hsmw <- read.csv(file.path(data_dir, "hs_missing_weights.csv"), stringsAsFactors = FALSE)
hsx <- read.csv(file.path(data_dir, "hs_missing_x.csv"), stringsAsFactors = FALSE)
stopifnot(identical(hsx$id, hsmw$id))
hsxw <- cbind(hsx, w = hsmw$w)
empty_rows <- c(5L, 77L, 200L)
hsme <- hsmw
hsme[empty_rows, paste0("x", 1:9)] <- NA
out$data_recipes <- list(
  hsmw = "hsmw <- read.csv('../data/hs_missing_weights.csv', stringsAsFactors = FALSE)",
  hsxw = paste("hsx <- read.csv('../data/hs_missing_x.csv', stringsAsFactors = FALSE); hsxw <- cbind(hsx, w = hsmw$w)",
               "(same rows in the same order: the ids are identical)"),
  hsme = "hsme <- hsmw; hsme[c(5, 77, 200), paste0('x', 1:9)] <- NA  # three cases without any observed indicator",
  hsme_dropped = "hsme[-c(5, 77, 200), ]",
  hsmw_unit = "transform(hsmw, w = 1)")
out$empty_rows <- empty_rows

# ================================================================== models ====
model_hs <- jsonlite::fromJSON("sem_lavaan.json")$models$hs_cfa
model_hsx <- paste0(model_hs, "\n  visual ~ ageyr + grade\n  textual ~ ageyr\n")
for (nm in ls(pattern = "^model_")) out$models[[sub("^model_", "", nm)]] <- get(nm)

# ================================================================== cases ====
fits <- list()
add_case <- function(name, call_str, model, data) {
  add_call(call_str)
  t0 <- proc.time()[["elapsed"]]
  r <- run_w(call_str)
  elapsed <- proc.time()[["elapsed"]] - t0
  if (inherits(r$value, "error")) {
    out$lavaan_refused[[name]] <<- list(call = call_str, model = model, data = data, error = conditionMessage(r$value),
                                        warnings = I(r$warnings))
    message(name, ": lavaan ERROR ", conditionMessage(r$value))
    return(invisible(NULL))
  }
  fit <- r$value
  stopifnot(lavInspect(fit, "converged"))
  rec <- suppressWarnings(fit_summary(fit, call_str, list(
    model = model, data = data, warnings = I(r$warnings), elapsed_seconds = elapsed,
    vcov = unclass(vcov(fit)), test = test_list(fit), sampstat = uc(lavInspect(fit, "sampstat")),
    nobs_weighted = I(unlist(fit@SampleStats@nobs)))))
  rec$options$sampling.weights.normalization <- lavInspect(fit, "options")$sampling.weights.normalization
  fits[[name]] <<- fit
  out$cases[[name]] <<- rec
  message(name, " done (", round(elapsed, 2), " s)")
  invisible(fit)
}

# 1. multiple groups
add_case("wf_mg", 'cfa(model_hs, data = hsmw, sampling.weights = "w", missing = "ml", group = "school")', "hs", "hsmw")
add_case("wf_mg_ml_lower",
         'cfa(model_hs, data = hsmw, sampling.weights = "w", missing = "ml", group = "school", estimator = "ml")',
         "hs", "hsmw")
add_case("wf_mg_equal", paste0('cfa(model_hs, data = hsmw, sampling.weights = "w", missing = "ml", group = "school", ',
                               'estimator = "MLR", group.equal = c("loadings", "intercepts"))'), "hs", "hsmw")
# 2. covariates with missing values
add_case("wf_x_ml", 'sem(model_hsx, data = hsxw, sampling.weights = "w", missing = "ml")', "hsx", "hsxw")
add_case("wf_x_mlx", 'sem(model_hsx, data = hsxw, sampling.weights = "w", missing = "ml.x")', "hsx", "hsxw")
add_case("wf_x_free", 'sem(model_hsx, data = hsxw, sampling.weights = "w", missing = "ml", fixed.x = FALSE)', "hsx",
         "hsxw")
# 3. unit weights
add_case("wf_unit", 'cfa(model_hs, data = transform(hsmw, w = 1), sampling.weights = "w", missing = "ml")', "hs",
         "hsmw_unit")
unw <- cfa(model_hs, data = hsmw, missing = "ml", estimator = "MLR")
add_call('cfa(model_hs, data = hsmw, missing = "ml", estimator = "MLR")')
fm_u <- unclass(fitMeasures(fits$wf_unit)); fm_0 <- unclass(fitMeasures(unw))
d_fm <- abs(fm_u - fm_0) / pmax(1, abs(fm_0))  # relative; below 1e-5 the two differ only by lavaan's EM tolerance
out$checks$unit_weights_vs_unweighted_fiml <- list(
  call = out$cases$wf_unit$call, compared_with = 'cfa(model_hs, data = hsmw, missing = "ml", estimator = "MLR")',
  note = paste("the same fit except the GFI family: with weights lavaan's sample statistics (WLS.obs) are the EM",
               "moments, without weights the available-case means and pairwise covariances"),
  est_max_abs_diff = max(abs(coef(fits$wf_unit) - coef(unw))),
  se_max_abs_diff = max(abs(parameterEstimates(fits$wf_unit)$se - parameterEstimates(unw)$se), na.rm = TRUE),
  fit_measures_differing = as.list(d_fm[!is.na(d_fm) & d_fm > 1e-5]),
  fit_measures_max_rel_diff_others = max(d_fm[!is.na(d_fm) & d_fm <= 1e-5]),
  unweighted_gfi = fm_0[c("gfi", "agfi", "pgfi")])
# 4. empty rows
add_case("wf_empty_rows", 'cfa(model_hs, data = hsme, sampling.weights = "w", missing = "ml")', "hs", "hsme")
add_case("wf_empty_rows_dropped", 'cfa(model_hs, data = hsme[-c(5, 77, 200), ], sampling.weights = "w", missing = "ml")',
         "hs", "hsme_dropped")
out$checks$empty_rows <- list(
  note = paste("lavaan normalizes the weights over all rows (empty ones included) to sum to the number of non-empty",
               "rows, so the non-empty cases' weights sum to less than N; the estimates equal those without the empty",
               "rows, the chi-square and fit measures do not"),
  coef_max_abs_diff = max(abs(coef(fits$wf_empty_rows) - coef(fits$wf_empty_rows_dropped))),
  sum_weights_nonempty = sum(fits$wf_empty_rows@Data@weights[[1]][-empty_rows]),
  nobs_weighted = fits$wf_empty_rows@SampleStats@nobs[[1]])
message("cases done")

# 5. refits on fixed resamples (the weights travel with the rows; lavaan normalizes them again per refit, which
#    does not change single-group estimates)
idx <- read.csv(file.path(data_dir, "hs_missing_boot_indices.csv"))
pe0 <- parameterEstimates(cfa(model_hs, data = hsmw, sampling.weights = "w", missing = "ml"))
reps <- lapply(idx, function(ix) {
  f <- suppressWarnings(cfa(model_hs, data = hsmw[ix, ], sampling.weights = "w", missing = "ml"))
  pe <- parameterEstimates(f)
  stopifnot(identical(pe$lhs, pe0$lhs), identical(pe$op, pe0$op), identical(pe$rhs, pe0$rhs))
  list(est = pe$est, converged = lavInspect(f, "converged"))
})
out$bootstrap_replicates <- list(
  data = "hs_missing_weights.csv", indices = "hs_missing_boot_indices.csv", model = "hs",
  call = 'cfa(model_hs, data = hsmw[idx[[r]], ], sampling.weights = "w", missing = "ml")',
  lhs = pe0$lhs, op = pe0$op, rhs = pe0$rhs, full_sample_est = pe0$est,
  est = unname(lapply(reps, `[[`, "est")), converged = unname(sapply(reps, `[[`, "converged")))
add_call(out$bootstrap_replicates$call)
message("replicates done")

out$calls <- I(unlist(out$calls))
write_golden(out, "sem_weights_fiml.json")
