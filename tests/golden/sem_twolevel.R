# Golden reference values for issue 14: two-level SEM (lavaan's `level:` blocks with cluster =) and sampling weights.
#   1. lavaan's Demo.twolevel, the tutorial model: ML, MLR, `level: within/between` labels, a between-level indirect
#      effect (`:=` over two level-2 labels), FIML (missing = "ml") on a copy with ~10% of the y values missing;
#   2. a simulated community survey (40 communities of 10-40 residents, community-level `pbl_c`, between-community
#      structural model with `ind := a*b`): ML, MLR, and a balanced subset (20 residents each) with ML;
#   3. sampling weights on Holzinger-Swineford: estimator "ML" (turned into MLR), "MLR", lower-case "ml" (plain ML),
#      default, multi-group MLR, FIML with weights; lavaan's weight normalization;
#   4. error behaviour: singleton clusters, level-2 variables that vary within clusters, one / two clusters, a
#      missing cluster id, level blocks in reversed order, weights that are negative / missing / zero / not numeric /
#      absent, weights together with cluster =;
#   5. median lavaan timings of the Demo.twolevel and survey fits.
# Run:  cd tests/golden && Rscript sem_twolevel.R      -> writes sem_twolevel.json   (about 3 minutes; the
#       two-level FIML fits take ~35 s each)
# Reads: sem_lavaan.json (`models$hs_cfa`), ../data/holzinger_swineford.csv, ../data/hs_missing.csv
# Writes once (when a file exists, the regenerated content must match it byte for byte, else the script stops):
#       ../data/demo_twolevel.csv, ../data/demo_twolevel_missing.csv, ../data/twolevel_survey.csv,
#       ../data/twolevel_survey_balanced.csv, ../data/hs_weights.csv, ../data/hs_missing_weights.csv
# Every fit runs on data read back from the CSV files.

source("_golden_helpers.R")
suppressPackageStartupMessages(library(lavaan))

data_dir <- file.path("..", "data")
out <- c(meta_info(), list(
  description = paste(
    "lavaan golden values for two-level SEM and sampling weights (issue 14).",
    "Each case: call, model (key of `models`), data (CSV in tests/data), converged, options, parameter_estimates =",
    "parameterEstimates(fit, standardized = TRUE) records (block and level columns; `:=` rows have block 0, level 0),",
    "fit_measures = fitMeasures(fit) complete (NA -> null), warnings (of the fit call) and fit_measures_warnings, vcov,",
    "partable, test, elapsed_seconds (one fit, not a benchmark), plus the two-level or weight extras named in",
    "`twolevel_extras` / `weights_extras`. Matrices are {rownames, colnames, data (row-major)}."),
  twolevel_extras = list(
    loglik = "fitMeasures 'logl'", unrestricted_loglik = "fitMeasures 'unrestricted.logl' (h1, saturated two-level model)",
    npar = "lavInspect(fit, 'npar') (in every case record; equals fitMeasures 'npar' here)", df = "fitMeasures 'df'",
    icc = "lavInspect(fit, 'icc'): from the h1 (saturated) within and between covariance matrices; 0 for within-only variables",
    h1 = paste("lavInspect(fit, 'h1'): saturated moments per level (within: cov, mean; <cluster variable>: cov, mean;",
               "lavaan names the level-2 element after the cluster variable, e.g. `cluster` or `community`)"),
    implied = "lavInspect(fit, 'implied'): model-implied moments per level",
    nclusters = "lavInspect(fit, 'nclusters')", cluster_size = "lavInspect(fit, 'cluster.size') (one per cluster, in cluster_id order)",
    cluster_id = "lavInspect(fit, 'cluster.id')", cluster_sizes = "lavInspect(fit, 'cluster.sizes') (distinct sizes)",
    ncluster_size = "lavInspect(fit, 'ncluster.size')", average_cluster_size = "lavInspect(fit, 'average.cluster.size')",
    rsquare = "lavInspect(fit, 'rsquare') per level", cov_lv = "lavInspect(fit, 'cov.lv') per level",
    baseline_test = "lavInspect(fit, 'baseline.test')", baseline_partable = "fit@baseline$partable (the independence model per level)",
    level_names = "fit@Data@Lp: within-only / between-only / both variables",
    sample_summaries = paste(
      "complete-data cases only: fit@SampleStats@YLp[[1]][[2]] (lav_samplestats_cluster_patterns): Y2 = cluster means",
      "(rows in cluster_id order, columns = variables), s = (N - sum(n_j^2)/N)/(J - 1), S.b = sum_j n_j (ybar_j - ybar)",
      "(ybar_j - ybar)'/(J - 1) (between-only rows/columns rescaled), S.PW.start = pooled-within covariance",
      "sum (y - ybar_j)(y - ybar_j)'/(N - J) with the within-only block replaced by their total covariance (divisor N)",
      "and between-only rows/columns 0, loglik.x = saturated loglik of the fixed x's (level 1 on N, level 2 on J),",
      "mean.d / cov.d = per distinct cluster size (cluster_sizes order) the mean and ML covariance (divisor = number of",
      "clusters of that size; lavaan stores the scalar 0 when only one cluster has that size) of the cluster means,",
      "variables in the order `md_variables` (between-only first)")),
  weights_extras = list(
    weights = paste("the normalization lavaan applies (sampling.weights.normalization = 'total': w* = w * N / sum(w) over",
                    "all groups): per group raw_sum, normalized_sum (= fit@SampleStats@nobs, the weighted N_g), n_rows",
                    "(lavInspect 'nobs'), and the normalized weights fit@Data@weights in data order"),
    sampstat = "lavInspect(fit, 'sampstat'): weighted mean and ML covariance (cov.wt method = 'ML')"),
  seeds = list(), data_files = list(), models = list(), calls = list(), cases = list(),
  lavaan_refused = list(), error_behaviour = list(), checks = list()))
add_call <- function(...) out$calls <<- c(out$calls, list(...))

# ===================================================================== data ====
# --- Demo.twolevel (lavaan), exact
dt <- write_once_csv(lavaan::Demo.twolevel, "demo_twolevel.csv")
out$data_files$demo_twolevel.csv <- list(
  source = "lavaan::Demo.twolevel (exported bit for bit): 2500 rows in 200 clusters of 5/10/15/20",
  n = nrow(dt), columns = I(names(dt)), r_read = "dt <- read.csv('../data/demo_twolevel.csv')")

# --- Demo.twolevel with ~10% of each y value missing (MCAR)
seed_missing <- 1414L
set.seed(seed_missing)
dtm_src <- dt
for (v in paste0("y", 1:6)) dtm_src[[v]][runif(nrow(dtm_src)) < 0.10] <- NA
dtm <- write_once_csv(dtm_src, "demo_twolevel_missing.csv")
out$seeds$demo_twolevel_missing <- seed_missing
out$data_files$demo_twolevel_missing.csv <- list(
  source = "demo_twolevel.csv with MCAR missingness in y1-y6",
  recipe = paste("dt <- read.csv('../data/demo_twolevel.csv'); set.seed(1414);",
                 "for (v in paste0('y', 1:6)) dt[[v]][runif(nrow(dt)) < 0.10] <- NA"),
  n = nrow(dtm), columns = I(names(dtm)),
  missing_per_variable = sapply(dtm[, paste0("y", 1:6)], function(v) sum(is.na(v))),
  rows_with_y1_y3_all_missing = sum(rowSums(is.na(dtm[, paste0("y", 1:3)])) == 3),
  r_read = "dtm <- read.csv('../data/demo_twolevel_missing.csv')")

# --- simulated community survey (between-community structural model)
make_twolevel_survey <- function(seed) {
  set.seed(seed)
  J <- 40L
  n_j <- sample(10:40, J, replace = TRUE)                        # unbalanced community sizes
  pbl_c <- round(rnorm(J), 4)                                     # community party-building leadership
  NETb <- 0.25 * pbl_c + rnorm(J, 0, sqrt(0.14))                  # between-community network factor
  RESb <- 0.50 * NETb + 0.20 * pbl_c + rnorm(J, 0, sqrt(0.12))    # between-community resilience factor
  lam_b <- c(1, 0.9, 0.8); th_b <- c(0.07, 0.08, 0.08)            # between loadings / residual variances
  lam_w <- c(1, 0.85, 0.75); th_w <- c(0.5, 0.55, 0.6)            # within loadings / residual variances
  mu_net <- c(3.6, 3.4, 3.5); mu_res <- c(3.2, 3.3, 3.1)
  cid <- rep(seq_len(J), n_j); N <- length(cid)
  NETw <- rnorm(N)
  RESw <- 0.45 * NETw + rnorm(N, 0, sqrt(0.8))
  out <- data.frame(community = cid, resident = sequence(n_j), pbl_c = pbl_c[cid])
  for (k in 1:3) out[[paste0("net", k)]] <- mu_net[k] + lam_b[k] * NETb[cid] + rnorm(J, 0, sqrt(th_b[k]))[cid] +
    lam_w[k] * NETw + rnorm(N, 0, sqrt(th_w[k]))
  for (k in 1:3) out[[paste0("res", k)]] <- mu_res[k] + lam_b[k] * RESb[cid] + rnorm(J, 0, sqrt(th_b[k]))[cid] +
    lam_w[k] * RESw + rnorm(N, 0, sqrt(th_w[k]))
  for (v in c(paste0("net", 1:3), paste0("res", 1:3))) out[[v]] <- round(out[[v]], 4)
  out
}
seed_survey <- 2024L
sv <- write_once_csv(make_twolevel_survey(seed_survey), "twolevel_survey.csv")
big <- as.integer(names(which(table(sv$community) >= 20)))
svb <- write_once_csv(sv[sv$community %in% big & sv$resident <= 20, ], "twolevel_survey_balanced.csv")
out$seeds$twolevel_survey <- seed_survey
out$data_files$twolevel_survey.csv <- list(
  source = paste("simulated in R: 40 communities of 10-40 residents; pbl_c = community-level (between-only) party-building",
                 "leadership; net1-3 and res1-3 = resident items with within and between variance; the between factors",
                 "follow NETb = .25 pbl_c + u, RESb = .5 NETb + .2 pbl_c + v; values rounded to 4 decimals"),
  recipe = paste(c(deparse(make_twolevel_survey), "sv <- make_twolevel_survey(2024L)"), collapse = "\n"),
  seed_note = paste("population values fixed first; seed 2024 was kept because lavaan's ML solution is admissible",
                    "(all between residual variances positive) in both the unbalanced and the balanced data"),
  n = nrow(sv), n_communities = length(unique(sv$community)), community_sizes = I(as.integer(table(sv$community))),
  columns = I(names(sv)), r_read = "sv <- read.csv('../data/twolevel_survey.csv')")
out$data_files$twolevel_survey_balanced.csv <- list(
  source = "twolevel_survey.csv restricted to the communities with at least 20 residents and to their residents 1-20",
  recipe = "big <- as.integer(names(which(table(sv$community) >= 20))); svb <- sv[sv$community %in% big & sv$resident <= 20, ]",
  n = nrow(svb), n_communities = length(unique(svb$community)), columns = I(names(svb)),
  r_read = "svb <- read.csv('../data/twolevel_survey_balanced.csv')")

# --- Holzinger-Swineford with a made-up sampling weight
hs <- read.csv(file.path(data_dir, "holzinger_swineford.csv"), stringsAsFactors = FALSE)
hs_m <- read.csv(file.path(data_dir, "hs_missing.csv"), stringsAsFactors = FALSE)
stopifnot(identical(hs$id, hs_m$id))
seed_weights <- 1416L
set.seed(seed_weights)
w <- round(exp(rnorm(nrow(hs), 0, 0.7)), 3)
stopifnot(all(w > 0))
hsw <- write_once_csv(cbind(hs, w = w), "hs_weights.csv")
hsmw <- write_once_csv(cbind(hs_m, w = w), "hs_missing_weights.csv")
out$seeds$hs_weights <- seed_weights
out$data_files$hs_weights.csv <- list(
  source = "holzinger_swineford.csv plus a made-up positive sampling weight w (log-normal, rounded to 3 decimals)",
  recipe = "set.seed(1416); w <- round(exp(rnorm(301, 0, 0.7)), 3); hsw <- cbind(hs, w = w)",
  n = nrow(hsw), columns = I(names(hsw)), w_summary = summary(hsw$w), w_sum = sum(hsw$w),
  n_w_below_0.25 = sum(hsw$w < 0.25), n_w_above_4 = sum(hsw$w > 4),
  r_read = "hsw <- read.csv('../data/hs_weights.csv', stringsAsFactors = FALSE)")
out$data_files$hs_missing_weights.csv <- list(
  source = "hs_missing.csv plus the same weight w as hs_weights.csv (same rows, same order)",
  recipe = "hsmw <- cbind(hs_m, w = w)  # w of hs_weights.csv",
  n = nrow(hsmw), columns = I(names(hsmw)),
  r_read = "hsmw <- read.csv('../data/hs_missing_weights.csv', stringsAsFactors = FALSE)")

# ================================================================== models ====
model_demo <- '
  level: 1
    fw =~ y1 + y2 + y3
    fw ~ x1 + x2 + x3
  level: 2
    fb =~ y1 + y2 + y3
    fb ~ w1 + w2
'
model_demo_within_between <- sub("level: 2", "level: between", sub("level: 1", "level: within", model_demo, fixed = TRUE),
                                 fixed = TRUE)
# between-level mediation w1 -> w2 -> fb (w2 is a between-only endogenous variable; w1 stays exogenous)
stopifnot(grepl("    fb ~ w1 + w2\n", model_demo, fixed = TRUE))
model_demo_ind <- sub("    fb ~ w1 + w2\n",
                      "    w2 ~ a*w1\n    fb ~ b*w2 + c*w1\n    ind := a*b\n    total := c + a*b\n", model_demo, fixed = TRUE)
# the level blocks in reversed order (lavaan takes the FIRST block as the within level)
model_demo_reversed <- '
  level: 2
    fb =~ y1 + y2 + y3
    fb ~ w1 + w2
  level: 1
    fw =~ y1 + y2 + y3
    fw ~ x1 + x2 + x3
'
model_survey <- '
  level: 1
    NETw =~ net1 + net2 + net3
    RESw =~ res1 + res2 + res3
    RESw ~ NETw
  level: 2
    NETb =~ net1 + net2 + net3
    RESb =~ res1 + res2 + res3
    NETb ~ a*pbl_c
    RESb ~ b*NETb + c*pbl_c
    ind := a*b
    total := c + a*b
'
model_hs <- jsonlite::fromJSON("sem_lavaan.json")$models$hs_cfa
for (nm in ls(pattern = "^model_")) out$models[[sub("^model_", "", nm)]] <- get(nm)

# ================================================================= extras ====
fits <- list()
PT_COLS <- c("id", "lhs", "op", "rhs", "block", "level", "group", "free", "exo", "label", "plabel", "est")
partable_records <- function(pt) {
  pt <- as.data.frame(pt)
  pt[, intersect(PT_COLS, names(pt)), drop = FALSE]
}
common_extra <- function(fit) list(vcov = unclass(vcov(fit)), test = test_list(fit), partable = partable_records(parTable(fit)))

# std.all per level rebuilt from the level's own implied variances (observed: implied cov; latent: cov.lv)
std_all_by_level <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  imp <- lavInspect(fit, "implied"); clv <- lavInspect(fit, "cov.lv")  # per level, in block order
  sd_of <- function(v, b) {
    vv <- c(diag(imp[[b]]$cov), if (length(clv[[b]])) diag(clv[[b]]))
    sqrt(vv[[v]])
  }
  rows <- which(pe$op %in% c("=~", "~", "~~", "~1") & pe$block > 0)
  mine <- vapply(rows, function(i) {
    r <- pe[i, ]; b <- r$block
    switch(r$op,
           "=~" = r$est * sd_of(r$lhs, b) / sd_of(r$rhs, b),
           "~" = r$est * sd_of(r$rhs, b) / sd_of(r$lhs, b),
           "~~" = r$est / (sd_of(r$lhs, b) * sd_of(r$rhs, b)),
           "~1" = r$est / sd_of(r$lhs, b))
  }, numeric(1))
  max(abs(mine - pe$std.all[rows]))
}

twolevel_extra <- function(fit, samplestats = TRUE) {
  fm <- fitMeasures(fit)
  h1 <- uc(lavInspect(fit, "h1"))
  icc <- uc(lavInspect(fit, "icc"))
  # level 2 is named after the cluster variable ("cluster", "community"): index the levels by position
  vw <- diag(h1[[1]]$cov); vb <- diag(h1[[2]]$cov)
  both <- intersect(names(vw), names(vb))
  icc_h1 <- vb[both] / (vw[both] + vb[both])
  Lp <- fit@Data@Lp[[1]]
  o <- c(common_extra(fit), list(
    loglik = fm[["logl"]], unrestricted_loglik = fm[["unrestricted.logl"]], df = fm[["df"]],
    icc = icc, h1 = h1, implied = uc(lavInspect(fit, "implied")),
    nclusters = lavInspect(fit, "nclusters"), cluster_size = I(as.integer(lavInspect(fit, "cluster.size"))),
    cluster_id = I(lavInspect(fit, "cluster.id")), cluster_sizes = I(as.integer(lavInspect(fit, "cluster.sizes"))),
    ncluster_size = lavInspect(fit, "ncluster.size"), average_cluster_size = lavInspect(fit, "average.cluster.size"),
    rsquare = uc(lavInspect(fit, "rsquare")), cov_lv = uc(lavInspect(fit, "cov.lv")),
    baseline_test = test_list(fit, "baseline.test"), baseline_partable = partable_records(fit@baseline$partable),
    level_names = list(ov_names = I(Lp$ov.names), both = I(Lp$both.names[[2]]), within_only = I(Lp$within.names[[2]]),
                       between_only = I(Lp$between.names[[2]]), level1_x = I(Lp$ov.names.x)),
    level_checks = list(
      icc_minus_h1_ratio_max_abs = max(abs(icc[both] - icc_h1)),
      icc_within_only = icc[setdiff(names(icc), both)],
      srmr_minus_within_plus_between = fm[["srmr"]] - (fm[["srmr_within"]] + fm[["srmr_between"]]),
      std_all_minus_per_level_rebuild_max_abs = std_all_by_level(fit),
      note = paste("std.all rebuilt per level: =~ est*sd(lv)/sd(ov), ~ est*sd(x)/sd(y), ~~ est/(sd*sd), ~1 est/sd, with",
                   "sd from that level's implied covariance (observed) or cov.lv (latent)"))))
  if (samplestats) {
    Y <- fit@SampleStats@YLp[[1]][[2]]
    v <- Lp$ov.names
    md_v <- v[c(Lp$between.idx[[2]], sort.int(c(Lp$both.idx[[2]], Lp$within.idx[[2]])))]
    nm_mat <- function(m, r = v, cc = v) { m <- as.matrix(m); dimnames(m) <- list(r, cc); m }
    o$sample_summaries <- list(
      variables = I(v), md_variables = I(md_v), cluster_size_ns = I(as.integer(Lp$cluster.size.ns[[2]])),
      Y2 = nm_mat(Y$Y2, NULL, v), s = Y$s, S.b = nm_mat(Y$S.b), S.PW.start = nm_mat(Y$S.PW.start),
      loglik.x = Y$loglik.x,
      mean.d = lapply(Y$mean.d, function(m) stats::setNames(as.numeric(m), md_v)),
      cov.d = lapply(Y$cov.d, function(m) if (length(m) == 1L) m else nm_mat(m, md_v, md_v)))
  }
  o
}

weights_extra <- function(fit, data) {
  wv <- fit@Data@sampling.weights
  raw <- lapply(fit@Data@case.idx, function(ix) data[[wv]][ix])
  norm <- lapply(fit@Data@weights, as.numeric)
  n_total <- sum(lengths(raw))
  glab <- if (lavInspect(fit, "ngroups") > 1) lavInspect(fit, "group.label") else "1"
  per_group <- stats::setNames(lapply(seq_along(raw), function(g) list(
    n_rows = length(raw[[g]]), raw_sum = sum(raw[[g]]), normalized_sum = sum(norm[[g]]),
    samplestats_nobs = fit@SampleStats@nobs[[g]], normalized = I(norm[[g]]))), glab)
  c(common_extra(fit), list(
    sampstat = uc(lavInspect(fit, "sampstat")),
    weights = list(
      variable = wv, normalization = lavInspect(fit, "options")$sampling.weights.normalization,
      n_total_rows = n_total, raw_total = sum(unlist(raw)), factor = n_total / sum(unlist(raw)),
      groups = per_group,
      normalized_minus_raw_times_factor_max_abs = max(abs(unlist(norm) - unlist(raw) * n_total / sum(unlist(raw)))))))
}

# Fit one case, store it (or the refusal); returns the fit or NULL.
add_case <- function(name, call_str, model, data, extra = function(fit) list()) {
  add_call(call_str)
  t0 <- proc.time()[["elapsed"]]
  r <- run_w(call_str)
  elapsed <- proc.time()[["elapsed"]] - t0
  if (inherits(r$value, "error")) {
    out$lavaan_refused[[name]] <<- list(call = call_str, model = model, data = data,
                                        error = conditionMessage(r$value),
                                        error_call = paste(deparse(conditionCall(r$value)), collapse = " "),
                                        warnings = I(r$warnings), elapsed_seconds = elapsed)
    message(name, ": lavaan ERROR ", conditionMessage(r$value))
    return(invisible(NULL))
  }
  fit <- r$value
  stopifnot(lavInspect(fit, "converged"))
  fm_warn <- character(0)
  withCallingHandlers(fitMeasures(fit), warning = function(w) {
    fm_warn <<- c(fm_warn, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  rec <- suppressWarnings(fit_summary(fit, call_str, c(
    list(model = model, data = data, warnings = I(r$warnings), fit_measures_warnings = I(fm_warn),
         elapsed_seconds = elapsed),
    extra(fit))))
  rec$options$observed.information <- I(lavInspect(fit, "options")$observed.information)
  rec$options$h1.information <- I(lavInspect(fit, "options")$h1.information)
  rec$options$sampling.weights.normalization <- lavInspect(fit, "options")$sampling.weights.normalization
  fits[[name]] <<- fit
  out$cases[[name]] <<- rec
  message(name, " done (", round(elapsed, 2), " s)")
  invisible(fit)
}

# ============================================ 1. Demo.twolevel ==============
tl <- function(fit) twolevel_extra(fit)
add_case("demo_ml", 'sem(model_demo, data = dt, cluster = "cluster")', "demo", "demo_twolevel.csv", tl)
add_case("demo_mlr", 'sem(model_demo, data = dt, cluster = "cluster", estimator = "MLR")', "demo", "demo_twolevel.csv", tl)
add_case("demo_within_between_ml", 'sem(model_demo_within_between, data = dt, cluster = "cluster")', "demo_within_between",
         "demo_twolevel.csv", tl)
out$checks$within_between_labels_same_as_numbered <- list(
  note = "`level: within` / `level: between` give the same fit as `level: 1` / `level: 2`; only the level column differs",
  coef_max_abs_diff = max(abs(coef(fits$demo_within_between_ml) - coef(fits$demo_ml))),
  level_column_demo_ml = I(unique(as.character(parameterEstimates(fits$demo_ml)$level))),
  level_column_within_between = I(unique(as.character(parameterEstimates(fits$demo_within_between_ml)$level))))
add_case("demo_ind_ml", 'sem(model_demo_ind, data = dt, cluster = "cluster")', "demo_ind", "demo_twolevel.csv", tl)
add_case("demo_ind_mlr", 'sem(model_demo_ind, data = dt, cluster = "cluster", estimator = "MLR")', "demo_ind",
         "demo_twolevel.csv", tl)
tl_miss <- function(fit) twolevel_extra(fit, samplestats = FALSE)
add_case("demo_missing_fiml_ml", 'sem(model_demo, data = dtm, cluster = "cluster", missing = "ml")', "demo",
         "demo_twolevel_missing.csv", tl_miss)
add_case("demo_missing_fiml_mlr", 'sem(model_demo, data = dtm, cluster = "cluster", missing = "ml", estimator = "MLR")',
         "demo", "demo_twolevel_missing.csv", tl_miss)
message("1. done")

# ============================================ 2. community survey ===========
add_case("survey_ml", 'sem(model_survey, data = sv, cluster = "community")', "survey", "twolevel_survey.csv", tl)
add_case("survey_mlr", 'sem(model_survey, data = sv, cluster = "community", estimator = "MLR")', "survey",
         "twolevel_survey.csv", tl)
add_case("survey_balanced_ml", 'sem(model_survey, data = svb, cluster = "community")', "survey",
         "twolevel_survey_balanced.csv", tl)
message("2. done")

# ============================================ 3. sampling weights ===========
wx <- function(data) function(fit) weights_extra(fit, data)
add_case("hs_w_default", 'cfa(model_hs, data = hsw, sampling.weights = "w")', "hs", "hs_weights.csv", wx(hsw))
add_case("hs_w_ML", 'cfa(model_hs, data = hsw, sampling.weights = "w", estimator = "ML")', "hs", "hs_weights.csv", wx(hsw))
add_case("hs_w_MLR", 'cfa(model_hs, data = hsw, sampling.weights = "w", estimator = "MLR")', "hs", "hs_weights.csv", wx(hsw))
add_case("hs_w_ml_lower", 'cfa(model_hs, data = hsw, sampling.weights = "w", estimator = "ml")', "hs", "hs_weights.csv", wx(hsw))
add_case("hs_w_mg_mlr", 'cfa(model_hs, data = hsw, sampling.weights = "w", group = "school", estimator = "MLR")', "hs",
         "hs_weights.csv", wx(hsw))
add_case("hs_w_fiml", 'cfa(model_hs, data = hsmw, sampling.weights = "w", missing = "ml")', "hs", "hs_missing_weights.csv",
         wx(hsmw))
add_case("hs_w_fiml_ml_lower", 'cfa(model_hs, data = hsmw, sampling.weights = "w", missing = "ml", estimator = "ml")', "hs",
         "hs_missing_weights.csv", wx(hsmw))
# weights all 1 reproduce the unweighted MLR fit; weights x 10 give the same fit (normalization "total")
max_pe_diff <- function(a, b) {
  pa <- parameterEstimates(a); pb <- parameterEstimates(b)
  c(est = max(abs(pa$est - pb$est)), se = max(abs(pa$se - pb$se), na.rm = TRUE),
    fit_measures = max(abs(unclass(fitMeasures(a)) - unclass(fitMeasures(b))), na.rm = TRUE))
}
unit_call <- 'cfa(model_hs, data = transform(hsw, w = 1), sampling.weights = "w", estimator = "MLR")'
scaled_call <- 'cfa(model_hs, data = transform(hsw, w = 10 * w), sampling.weights = "w", estimator = "MLR")'
out$checks$unit_weights_equal_unweighted_mlr <- list(
  call = unit_call, compared_with = 'cfa(model_hs, data = hsw, estimator = "MLR")',
  max_abs_diff = max_pe_diff(run(unit_call), cfa(model_hs, data = hsw, estimator = "MLR")))
out$checks$weights_times_10_equal_weights <- list(
  call = scaled_call, compared_with = out$cases$hs_w_MLR$call,
  max_abs_diff = max_pe_diff(run(scaled_call), fits$hs_w_MLR))
add_call(unit_call, scaled_call)
message("3. done")

# ============================================ 4. error behaviour ============
# `recipe` builds the data frame `bad` from dt / hsw; `call` is then run on it. Printed output, warnings and errors
# are recorded; when lavaan fits anyway, the fit is recorded too.
add_error_case <- function(name, recipe, call_str, what) {
  bad <<- run(recipe)
  printed <- utils::capture.output(r <- run_w(call_str))
  rec <- list(what = what, recipe = recipe, call = call_str, warnings = I(r$warnings),
              printed_output = if (length(printed)) I(printed) else NULL)
  if (inherits(r$value, "error")) {
    rec$outcome <- "error"
    rec$error <- conditionMessage(r$value)
  } else {
    fit <- r$value
    rec$outcome <- if (length(r$warnings)) "fitted with warnings" else "fitted silently"
    rec$converged <- lavInspect(fit, "converged")
    rec$nobs <- I(as.integer(lavInspect(fit, "nobs")))
    if (lavInspect(fit, "nlevels") > 1) {
      rec$nclusters <- lavInspect(fit, "nclusters")
      rec$cluster_size_table <- as.list(table(lavInspect(fit, "cluster.size")))
    }
    if (rec$converged) {
      rec$fit_measures <- suppressWarnings(fm_list(fit))
      rec$parameter_estimates <- pe_records(fit)
    }
  }
  add_call(recipe, call_str)
  out$error_behaviour[[name]] <<- rec
  message("4 ", name, ": ", rec$outcome)
}
demo_call <- 'sem(model_demo, data = bad, cluster = "cluster")'
w_call <- 'cfa(model_hs, data = bad, sampling.weights = "w")'
error_specs <- matrix(ncol = 4, byrow = TRUE, dimnames = list(NULL, c("name", "recipe", "call", "what")), c(
  "singleton_cluster", 'dt[!(dt$cluster == 1 & duplicated(dt$cluster)), ]', demo_call,
  "cluster 1 cut to its first row (one cluster of size 1)",
  "singleton_clusters_10", 'dt[!(dt$cluster %in% 1:10 & duplicated(dt$cluster)), ]', demo_call,
  "clusters 1-10 cut to their first row (ten clusters of size 1)",
  "between_var_varies_in_one_cluster", 'within(dt, w1[match(1, cluster)] <- w1[match(1, cluster)] + 0.5)', demo_call,
  "level-2 variable w1 not constant within cluster 1 (its first row + 0.5)",
  "between_var_varies_in_all_clusters", 'within(dt, w1 <- w1 + 0.1 * (seq_along(w1) %% 2))', demo_call,
  "level-2 variable w1 not constant within any cluster (+0.1 on every other row)",
  "one_cluster", 'dt[dt$cluster == 4, ]', demo_call, "a single cluster (cluster 4, 20 rows)",
  "two_clusters", 'dt[dt$cluster %in% c(4, 8), ]', demo_call, "two clusters (4 and 8, 20 rows each)",
  "cluster_id_missing", 'within(dt, cluster[1] <- NA)', demo_call, "the cluster id of row 1 is missing",
  "level_blocks_reversed", 'dt', 'sem(model_demo_reversed, data = bad, cluster = "cluster")',
  "`level: 2` written before `level: 1` (lavaan takes the first block as the within level)",
  "weight_negative", 'within(hsw, w[3] <- -1)', w_call, "one negative weight",
  "weight_missing", 'within(hsw, w[3] <- NA)', w_call, "one missing weight",
  "weight_zero", 'within(hsw, w[3] <- 0)', w_call, "one zero weight",
  "weight_not_numeric", 'within(hsw, w <- as.character(w))', w_call, "the weight column holds strings",
  "weight_column_absent", 'hsw', 'cfa(model_hs, data = bad, sampling.weights = "weight")',
  "sampling.weights names a column that does not exist",
  "weights_with_cluster", 'within(dt, wt <- 1 + (cluster %% 3))',
  'sem(model_demo, data = bad, cluster = "cluster", sampling.weights = "wt")',
  "level-1 sampling weights in a two-level model (constant within clusters)",
  "weights_with_cluster_varying", 'within(dt, wt <- 1 + (seq_along(cluster) %% 3))',
  'sem(model_demo, data = bad, cluster = "cluster", sampling.weights = "wt")',
  "level-1 sampling weights in a two-level model (varying within clusters)"))
for (k in seq_len(nrow(error_specs))) {
  e <- error_specs[k, ]
  add_error_case(e[["name"]], e[["recipe"]], e[["call"]], e[["what"]])
}
# lavaan 0.6-14 turns the estimator into MLR but does not use the weights in a two-level fit
pe_mlr <- parameterEstimates(fits$demo_mlr, standardized = TRUE)
out$checks$weights_ignored_in_twolevel <- c(
  list(note = paste("sampling.weights with cluster = (two-level model): lavaan 0.6-14 switches to MLR but the estimates",
                    "and SEs equal the unweighted demo_mlr fit; differences to demo_mlr per error_behaviour entry")),
  lapply(out$error_behaviour[c("weights_with_cluster", "weights_with_cluster_varying")], function(e) {
    pe <- e$parameter_estimates
    c(est = max(abs(pe$est - pe_mlr$est)), se = max(abs(pe$se - pe_mlr$se), na.rm = TRUE))
  }))
message("4. done")

# ============================================ 5. timings ====================
load_before <- readLines("/proc/loadavg")
out$timings <- list(
  demo_ml_fitmeasures = time_median('fitMeasures(sem(model_demo, data = dt, cluster = "cluster"))', 11L),
  demo_ml = time_median('sem(model_demo, data = dt, cluster = "cluster")', 11L),
  survey_ml_fitmeasures = time_median('fitMeasures(sem(model_survey, data = sv, cluster = "community"))', 11L),
  survey_ml = time_median('sem(model_survey, data = sv, cluster = "community")', 11L),
  demo_mlr_fitmeasures = time_median('fitMeasures(sem(model_demo, data = dt, cluster = "cluster", estimator = "MLR"))', 5L),
  survey_mlr_fitmeasures = time_median('fitMeasures(sem(model_survey, data = sv, cluster = "community", estimator = "MLR"))', 5L))
out$timings$machine <- machine_info(load_before,
  note = paste("one warm-up evaluation, then n_rep timed sequential evaluations (proc.time elapsed); median reported.",
               "The machine is shared (see loadavg): compare ratios measured in one run, not these absolute times.",
               "The two-level FIML fit (demo_missing_fiml_ml) is not timed here; its single elapsed_seconds is in the case."))
message("5. done")

out$calls <- I(unlist(out$calls))
write_golden(out, "sem_twolevel.json")
