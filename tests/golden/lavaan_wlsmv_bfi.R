# Golden reference values for (1) categorical CFA with WLSMV on the bfi items and
# (2) cluster-robust MLR CFA on a simulated clustered survey (resilience_stats).
# Run:  cd tests/golden && Rscript lavaan_wlsmv_bfi.R
# Writes: tests/golden/lavaan_wlsmv_bfi.json, tests/data/cluster_survey.csv
# Reads:  tests/data/bfi.csv (written by psych_bfi.R; re-exported here if absent)

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(lavaan)
})
data_dir <- file.path("..", "data")
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
calls <- character(0)
add_calls <- function(...) calls <<- c(calls, ...)

out <- c(meta_info(), list(
  description = paste("lavaan WLSMV (ordered) CFA on bfi and cluster-robust MLR CFA.",
                      "parameter_estimates = parameterEstimates(fit, standardized=TRUE) records;",
                      "fit_measures = fitMeasures(fit) object; matrices as {rownames, colnames, data}."),
  seeds = list(cluster_survey = 7L),
  cases = list()))

# ============================================================ 1. WLSMV ========
bfi_path <- file.path(data_dir, "bfi.csv")
if (!file.exists(bfi_path)) write_csv_exact(psych::bfi, bfi_path)
bfi <- read.csv(bfi_path)
items <- bfi[, 1:25]
model_b5 <- '
  A =~ A1 + A2 + A3 + A4 + A5
  C =~ C1 + C2 + C3 + C4 + C5
  E =~ E1 + E2 + E3 + E4 + E5
  N =~ N1 + N2 + N3 + N4 + N5
  O =~ O1 + O2 + O3 + O4 + O5
'
wl_calls <- list(
  bfi_wlsmv = 'cfa(model_b5, data = items, ordered = TRUE, estimator = "WLSMV")',
  bfi_wlsmv_pairwise = 'cfa(model_b5, data = items, ordered = TRUE, estimator = "WLSMV", missing = "pairwise")'
)
for (nm in names(wl_calls)) {
  add_calls(wl_calls[[nm]])
  tt <- system.time(fit <- run(wl_calls[[nm]]))
  tst <- lavInspect(fit, "test")
  ss <- tst[[which(names(tst) != "standard")[1]]]
  s <- fit_summary(fit, wl_calls[[nm]], list(
    model = "big_five", data = "bfi.csv (columns 1:25, raw item responses 1..6, no reverse coding)",
    seconds = unname(tt[["elapsed"]]),
    scaled_test = list(test = ss$test, stat = ss$stat, df = ss$df, pvalue = ss$pvalue,
                       scaling_factor = ss$scaling.factor,
                       shift_parameter = if (is.null(ss$shift.parameter)) NULL else ss$shift.parameter,
                       standard_stat = tst$standard$stat, standard_df = tst$standard$df,
                       note = "lavInspect(fit, 'test'): scaled.shifted statistic = standard_stat / scaling_factor + shift_parameter"),
    thresholds = lavInspect(fit, "th"),
    sample_polychoric = unclass(lavInspect(fit, "sampstat")$cov),
    sample_thresholds = lavInspect(fit, "sampstat")$th,
    implied_cor = unclass(fitted(fit)$cov),
    r2 = unclass(lavInspect(fit, "r2"))))
  out$cases[[nm]] <- s
  message(nm, " done (", round(tt[["elapsed"]], 1), " s)")
}
out$models <- list(big_five = model_b5)

# ==================================================== 2. cluster-robust MLR ====
set.seed(7)
n_clus <- 40L; m_per <- 20L; N <- n_clus * m_per
cid <- rep(seq_len(n_clus), each = m_per)
phi <- matrix(c(1, 0.4, 0.4, 1), 2)
Lc <- chol(phi)
u <- matrix(rnorm(n_clus * 2), n_clus, 2) %*% Lc * sqrt(0.15)   # between-cluster factor part
w <- matrix(rnorm(N * 2), N, 2) %*% Lc * sqrt(0.85)             # within-cluster factor part
Fs <- u[cid, ] + w
lam <- c(0.80, 0.70, 0.75, 0.75, 0.80, 0.65)
fac <- c(1, 1, 1, 2, 2, 2)
Y <- sapply(1:6, function(k) {
  item_clus <- rnorm(n_clus, 0, sqrt(0.03))[cid]                # small item-specific cluster effect
  3 + lam[k] * Fs[, fac[k]] + item_clus + rnorm(N, 0, sqrt(1 - lam[k]^2 - 0.03))
})
clus <- data.frame(cid = cid, pid = seq_len(N), round(Y, 4))
names(clus)[3:8] <- paste0("y", 1:6)
write_csv_exact(clus, file.path(data_dir, "cluster_survey.csv"))
clus <- read.csv(file.path(data_dir, "cluster_survey.csv"))
icc1 <- sapply(paste0("y", 1:6), function(v) {
  a <- anova(lm(clus[[v]] ~ factor(clus$cid)))
  msb <- a[1, "Mean Sq"]; msw <- a[2, "Mean Sq"]
  (msb - msw) / (msb + (m_per - 1) * msw)
})
out$data_cluster <- list(
  file = "cluster_survey.csv", seed = 7L, n_clusters = n_clus, cluster_size = m_per, n = N,
  columns = I(names(clus)),
  recipe = paste("set.seed(7); factor scores F = u[cid] + w with u ~ N(0, .15*Phi) per cluster,",
                 "w ~ N(0, .85*Phi), Phi = [[1,.4],[.4,1]] (via chol); y_k = 3 + lambda_k F_f(k) +",
                 "item cluster effect N(0,.03) + N(0, 1 - lambda_k^2 - .03); lambda = .80,.70,.75 (f1: y1-y3),",
                 ".75,.80,.65 (f2: y4-y6); rounded to 4 decimals. See lavaan_wlsmv_bfi.R for exact code."),
  icc_anova = icc1,
  icc_note = "ICC(1) from one-way ANOVA: (MSB - MSW) / (MSB + (m - 1) MSW), m = 20",
  r_read = "clus <- read.csv('../data/cluster_survey.csv')")
model_cl <- '
  f1 =~ y1 + y2 + y3
  f2 =~ y4 + y5 + y6
'
out$models$cluster_cfa <- model_cl
cl_calls <- list(
  cluster_mlr   = 'cfa(model_cl, data = clus, cluster = "cid", estimator = "MLR")',
  nocluster_mlr = 'cfa(model_cl, data = clus, estimator = "MLR")',
  nocluster_ml  = 'cfa(model_cl, data = clus, estimator = "ML")'
)
for (nm in names(cl_calls)) {
  add_calls(cl_calls[[nm]])
  fit <- run(cl_calls[[nm]])
  tst <- lavInspect(fit, "test")
  extra <- list(model = "cluster_cfa", data = "cluster_survey.csv")
  if (length(tst) > 1) {
    ss <- tst[[2]]
    extra$scaled_test <- list(test = ss$test, stat = ss$stat, df = ss$df, pvalue = ss$pvalue,
                              scaling_factor = ss$scaling.factor,
                              standard_stat = tst$standard$stat)
  }
  out$cases[[nm]] <- fit_summary(fit, cl_calls[[nm]], extra)
}
message("cluster done")

out$calls <- I(calls)
write_golden(out, "lavaan_wlsmv_bfi.json")
