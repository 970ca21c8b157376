# Golden reference values for multiple-group CFA / measurement invariance (resilience_stats.sem.invariance).
# Run:  cd tests/golden && Rscript sem_invariance.R
# Reads: tests/data/invariance_waves.csv (2 survey waves, 800 cases; net3's intercept is shifted by 0.5 in
#        wave 2023), tests/data/invariance_communities.csv (20 communities, 90-219 cases each, invariant),
#        tests/data/holzinger_swineford.csv, tests/data/hs_missing.csv (all written by Python / sem_lavaan.R).
# Writes: tests/golden/sem_invariance.json
# The data were generated with resilience_stats.sem.invariance.simulate_groups (see tests/test_sem_invariance.py).

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(lavaan)
})

out <- c(meta_info(), list(
  description = "lavaan multi-group invariance golden values: per case, steps (key fit measures + parameterEstimates), lrt between consecutive steps, lavTestScore univariate tables",
  cases = list()
))

key_fm <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
            "aic", "bic", "logl")
key_fm_mlr <- c("chisq", "df", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "cfi.robust",
                "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "srmr")

lrt_df <- function(tab) {
  d <- as.data.frame(tab)
  d <- cbind(model = rownames(d), d, stringsAsFactors = FALSE)
  rownames(d) <- NULL
  d
}

pe_sel <- function(fit) {
  p <- parameterEstimates(fit)
  p[, intersect(c("lhs", "op", "rhs", "group", "label", "est", "se"), names(p))]
}

ge_steps <- list(
  configural = "",
  metric = "loadings",
  scalar = c("loadings", "intercepts"),
  strict = c("loadings", "intercepts", "residuals"),
  means = c("loadings", "intercepts", "residuals", "means")
)

run_case <- function(model, data, group, steps, estimator = "ML", missing = "listwise", fm = key_fm,
                     pe = TRUE, extra = list()) {
  fits <- list()
  res <- list(steps = list(), lrt = list(), group_labels = NULL)
  for (nm in steps) {
    fits[[nm]] <- cfa(model, data = data, group = group, group.equal = ge_steps[[nm]],
                      estimator = estimator, missing = missing)
    s <- list(group_equal = I(setdiff(ge_steps[[nm]], "")), converged = lavInspect(fits[[nm]], "converged"),
              nobs = I(lavInspect(fits[[nm]], "nobs")), fit_measures = as.list(fitMeasures(fits[[nm]], fm)))
    if (pe) s$parameter_estimates <- pe_sel(fits[[nm]])
    res$steps[[nm]] <- s
  }
  res$group_labels <- I(lavInspect(fits[[1]], "group.label"))
  for (i in 2:length(steps)) {
    tab <- lavTestLRT(fits[[steps[i - 1]]], fits[[steps[i]]])
    res$lrt[[paste0(steps[i - 1], "_vs_", steps[i])]] <- lrt_df(tab)
  }
  list(res = res, fits = fits)
}

model_w <- "RES =~ res1 + res2 + res3 + res4\n NET =~ net1 + net2 + net3 + net4"
waves <- read.csv(file.path("..", "data", "invariance_waves.csv"))
comm <- read.csv(file.path("..", "data", "invariance_communities.csv"), stringsAsFactors = FALSE)
hs <- read.csv(file.path("..", "data", "holzinger_swineford.csv"), stringsAsFactors = FALSE)
hsm <- read.csv(file.path("..", "data", "hs_missing.csv"), stringsAsFactors = FALSE)
model_hs <- "visual =~ x1 + x2 + x3\n textual =~ x4 + x5 + x6\n speed =~ x7 + x8 + x9"
all5 <- names(ge_steps)

# --- a. waves, ML: full sequence, score tests, group.partial fit
w <- run_case(model_w, waves, "wave", all5)
w$res$model <- model_w
w$res$data <- "invariance_waves.csv"
w$res$score_scalar <- lavTestScore(w$fits$scalar)$uni
w$res$score_metric <- lavTestScore(w$fits$metric)$uni
w$res$score_scalar_total <- lavTestScore(w$fits$scalar)$test
pfit <- cfa(model_w, data = waves, group = "wave", group.equal = c("loadings", "intercepts"),
            group.partial = c("net3~1"))
w$res$partial_scalar <- list(group_partial = "net3~1", fit_measures = as.list(fitMeasures(pfit, key_fm)),
                             parameter_estimates = pe_sel(pfit),
                             lrt_vs_metric = lrt_df(lavTestLRT(w$fits$metric, pfit)))
p2 <- cfa(model_w, data = waves, group = "wave", group.equal = c("loadings", "intercepts"),
          group.partial = c("net3~1", "NET=~net4"))
w$res$partial_two <- list(group_partial = I(c("net3~1", "NET=~net4")), fit_measures = as.list(fitMeasures(p2, key_fm)))
out$cases$waves <- w$res

# --- b. waves, MLR
wm <- run_case(model_w, waves, "wave", c("configural", "metric", "scalar", "strict"), estimator = "MLR",
               fm = key_fm_mlr, pe = FALSE)
out$cases$waves_mlr <- wm$res

# --- c. 20 communities (ML), four steps
cm <- run_case(model_w, comm, "community", c("configural", "metric", "scalar", "strict"), pe = FALSE)
cm$res$score_scalar <- lavTestScore(cm$fits$scalar)$uni[1:40, ]
out$cases$communities <- cm$res

# --- d. HS: score tests (2 groups)
hsr <- run_case(model_hs, hs, "school", c("metric", "scalar"), pe = FALSE)
hsr$res$score_scalar <- lavTestScore(hsr$fits$scalar)$uni
out$cases$hs_score <- hsr$res

# --- e. HS with missing values, FIML, three steps
fm_f <- run_case(model_hs, hsm, "school", c("configural", "metric", "scalar"), missing = "fiml", pe = TRUE,
                 fm = c(key_fm))
out$cases$hs_fiml <- fm_f$res

# --- f. timings of the four-step sequence (inside R, excluding start-up)
four <- function(model, data, group) {
  for (nm in c("configural", "metric", "scalar", "strict"))
    cfa(model, data = data, group = group, group.equal = ge_steps[[nm]])
}
out$timings <- list(
  hs_2groups = unname(system.time(for (i in 1:5) four(model_hs, hs, "school"))[["elapsed"]] / 5),
  communities_20groups = unname(system.time(four(model_w, comm, "community"))[["elapsed"]])
)

write_golden(out, "sem_invariance.json")
message("done")
