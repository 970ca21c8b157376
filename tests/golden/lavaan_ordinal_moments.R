# Golden reference values for the sample statistics lavaan computes for ordered (categorical)
# indicators with estimator = "WLSMV": thresholds, polychoric correlations, NACOV (Gamma) and the
# DWLS weight matrix WLS.V.  Used by tests/test_psychometrics_polychoric_acov.py.
# Run:    cd tests/golden && Rscript lavaan_ordinal_moments.R
# Writes: tests/golden/lavaan_ordinal_moments.json,
#         tests/data/ordinal_sim5.csv, tests/data/ordinal_mixed.csv, tests/data/ordinal_binary.csv
# Reads:  tests/data/bfi.csv (written by psych_bfi.R)
#
# What is stored per case (lavaan 0.6-14):
#   thresholds = lavInspect(fit, "sampstat")$th     (named "item|t1", ...)
#   polychoric = lavInspect(fit, "sampstat")$cov    (the polychoric correlation matrix)
#   gamma      = lavInspect(fit, "gamma")           (== fit@SampleStats@NACOV[[1]]; rounded to 10
#                                                    significant digits to keep the file small)
#   wls_v_diag = diag(lavInspect(fit, "wls.v"))     (DWLS weights, full precision)
#   wls_obs    = lavInspect(fit, "wls.obs")         (the sample-statistics vector, names = gamma's)
#   nobs       = lavInspect(fit, "nobs")            (listwise complete cases)
# The model is irrelevant for these quantities except that it fixes the order of the variables
# (order of first appearance in the syntax); models below list the items in data column order.

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(lavaan)
})
data_dir <- file.path("..", "data")
calls <- character(0)

out <- c(meta_info(), list(
  description = paste("lavaan sample statistics for ordered indicators (WLSMV): thresholds, polychoric",
                      "correlations, NACOV = lavInspect(fit, 'gamma') and diag(lavInspect(fit, 'wls.v')).",
                      "gamma is rounded to 10 significant digits."),
  seeds = list(ordinal_sim5 = 20261122L, ordinal_mixed = 11L),
  cases = list()))

case_summary <- function(fit, call_str, data_name) {
  ss <- lavInspect(fit, "sampstat")
  G <- unclass(lavInspect(fit, "gamma"))
  W <- unclass(lavInspect(fit, "wls.v"))
  stopifnot(max(abs(W[row(W) != col(W)])) == 0)          # DWLS: diagonal weight matrix
  stopifnot(isTRUE(all.equal(diag(W), 1 / diag(G))))      # WLS.V = diag(Gamma)^-1
  wobs <- lavInspect(fit, "wls.obs")
  list(call = call_str, data = data_name,
       nobs = I(as.integer(lavInspect(fit, "nobs"))),
       ntotal = lavInspect(fit, "ntotal"),
       
       options = list(estimator = lavInspect(fit, "options")$estimator,
                      missing = lavInspect(fit, "options")$missing,
                      zero.add = I(lavInspect(fit, "options")$zero.add),
                      zero.keep.margins = lavInspect(fit, "options")$zero.keep.margins,
                      gamma.n.minus.one = lavInspect(fit, "options")$gamma.n.minus.one),
       ov_names = I(lavNames(fit, "ov")),
       thresholds = setNames(as.double(ss$th), names(ss$th)),
       polychoric = unclass(ss$cov),
       wls_obs = setNames(as.double(wobs), rownames(G)),
       wls_v_diag = setNames(diag(W), rownames(G)),
       gamma = signif(G, 10))
}

# ------------------------------------------------------------------ 1. bfi 25 items ----
bfi <- read.csv(file.path(data_dir, "bfi.csv"))
items <- bfi[, 1:25]
model_b5 <- '
  A =~ A1 + A2 + A3 + A4 + A5
  C =~ C1 + C2 + C3 + C4 + C5
  E =~ E1 + E2 + E3 + E4 + E5
  N =~ N1 + N2 + N3 + N4 + N5
  O =~ O1 + O2 + O3 + O4 + O5
'
call_b <- 'cfa(model_b5, data = items, ordered = TRUE, estimator = "WLSMV")'
calls <- c(calls, call_b)
tt <- system.time(fit <- eval(parse(text = call_b)))
out$cases$bfi <- c(case_summary(fit, call_b, "bfi.csv columns 1:25 (listwise complete: 2436 rows)"),
                   list(seconds = unname(tt[["elapsed"]])))
message("bfi done")

# ----------------------------------------------------- 2. simulated 5 items x 5 points ----
# one factor, loadings .8 .7 .6 .5 .4; thresholds differ by item (skewed items); N = 500
set.seed(20261122L)
n <- 500L
lam <- c(0.8, 0.7, 0.6, 0.5, 0.4)
f <- rnorm(n)
ystar <- sapply(lam, function(l) l * f + rnorm(n, sd = sqrt(1 - l^2)))
cuts <- list(c(-1.5, -0.5, 0.5, 1.5), c(-1, 0, 0.8, 1.6), c(-2, -1.2, -0.3, 0.7),
             c(-0.8, -0.2, 0.4, 1.2), c(-1.3, -0.4, 0.2, 2.0))
sim5 <- as.data.frame(sapply(1:5, function(k) findInterval(ystar[, k], cuts[[k]]) + 1L))
names(sim5) <- paste0("x", 1:5)
write_csv_exact(sim5, file.path(data_dir, "ordinal_sim5.csv"))
sim5 <- read.csv(file.path(data_dir, "ordinal_sim5.csv"))
model_s5 <- 'f =~ x1 + x2 + x3 + x4 + x5'
call_s <- 'cfa(model_s5, data = sim5, ordered = TRUE, estimator = "WLSMV")'
calls <- c(calls, call_s)
fit <- eval(parse(text = call_s))
out$cases$sim5 <- case_summary(fit, call_s, "ordinal_sim5.csv")
message("sim5 done")

# ------------------------- 3. mixed numbers of categories, non-contiguous codes, missing ----
# 6 items: y1 5 categories, y2 4, y3 3, y4 and y5 binary, y6 coded 0,2,3,5,9 (5 categories);
# N = 260 with ~4% missing values (lavaan: listwise); sparse tables with empty cells.
set.seed(11L)
n <- 260L
lam <- c(0.7, 0.6, 0.75, 0.5, 0.65, 0.55)
f <- rnorm(n)
ystar <- sapply(lam, function(l) l * f + rnorm(n, sd = sqrt(1 - l^2)))
cuts <- list(c(-1.8, -0.9, 0.3, 1.7), c(-1.0, 0.2, 1.4), c(-0.4, 0.9), 0.3, -0.7,
             c(-1.6, -0.6, 0.5, 1.5))
mixed <- as.data.frame(sapply(1:6, function(k) findInterval(ystar[, k], cuts[[k]]) + 1L))
mixed[, 6] <- c(0L, 2L, 3L, 5L, 9L)[mixed[, 6]]
names(mixed) <- paste0("y", 1:6)
for (k in 1:6) mixed[sample.int(n, 2L), k] <- NA
write_csv_exact(mixed, file.path(data_dir, "ordinal_mixed.csv"))
mixed <- read.csv(file.path(data_dir, "ordinal_mixed.csv"))
model_mx <- 'f =~ y1 + y2 + y3 + y4 + y5 + y6'
call_m <- 'cfa(model_mx, data = mixed, ordered = TRUE, estimator = "WLSMV")'
calls <- c(calls, call_m)
fit <- eval(parse(text = call_m))
out$cases$mixed <- c(case_summary(fit, call_m, "ordinal_mixed.csv"),
                     list(table_counts = lapply(list(y1 = 1, y2 = 2, y3 = 3, y4 = 4, y5 = 5, y6 = 6),
                                                function(k) as.integer(table(na.omit(mixed)[, k])))))
message("mixed done")

# ------------------------------------------------ 4. binary items: lavaan's 2 x 2 special cases ----
# hand-made, N = 40: b1 x b2 has both thresholds at 0 (closed form -cos(2 pi p11)); b1 x b3 and
# b2 x b3 have one empty cell (zero.add = 0.5 keeping the margins); b1 x b4 has odds ratio 1 (rho = 0);
# b5 has 3 categories.  do.fit = FALSE: only the sample statistics are needed.
binary <- data.frame(
  b1 = rep(1:2, each = 20),
  b2 = c(rep(1, 14), rep(2, 6), rep(1, 6), rep(2, 14)),
  b3 = c(rep(1, 20), rep(1, 8), rep(2, 12)),
  b4 = rep(1:2, 20),
  b5 = c(1,2,3,1,2,3,3,2,1,1, 2,2,3,1,3,3,2,1,2,3, 3,3,2,3,3,2,1,3,3,2, 3,3,3,2,3,3,1,3,2,3))
write_csv_exact(binary, file.path(data_dir, "ordinal_binary.csv"))
binary <- read.csv(file.path(data_dir, "ordinal_binary.csv"))
model_bin <- 'f =~ b1 + b2 + b3 + b4 + b5'
call_bin <- 'cfa(model_bin, data = binary, ordered = TRUE, estimator = "WLSMV", do.fit = FALSE)'
calls <- c(calls, call_bin)
fit <- eval(parse(text = call_bin))
out$cases$binary <- case_summary(fit, call_bin, "ordinal_binary.csv")
message("binary done")

out$models <- list(big_five = model_b5, sim5 = model_s5, mixed = model_mx, binary = model_bin)
out$calls <- I(calls)
write_golden(out, "lavaan_ordinal_moments.json")
