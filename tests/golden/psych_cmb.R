# psych golden values for omega hierarchical (Schmid-Leiman), fa.poly, mardia and splitHalf
# on ../data/bfi.csv and ../data/example_survey_pbsc.csv (issue 15).
# Run:  cd tests/golden && Rscript psych_cmb.R      Writes: tests/golden/psych_cmb.json
# Split halves of an odd number of items: psych 2.2.9 examines only the first choose(n, n %/% 2) / 2 splits in
# lexicographic order; the script adds the maximum, minimum and mean over ALL splits (brute force with combn).
source("_golden_helpers.R")
suppressPackageStartupMessages({ library(psych); library(GPArotation) })
bfi <- read.csv(file.path("..", "data", "bfi.csv"))
items <- bfi[, 1:25]
pbsc <- read.csv(file.path("..", "data", "example_survey_pbsc.csv"))
out <- c(meta_info(), list(description = "psych omega / fa.poly / mardia / splitHalf golden values (issue 15)"))
calls <- character(0)
go <- function(cl) { calls <<- c(calls, cl); suppressMessages(suppressWarnings(run(cl))) }

# ---------------------------------------------------------------- omega ---
om_store <- function(cl) {
  om <- go(cl)
  list(call = cl, omega_h = om$omega_h, omega_tot = om$omega.tot, omega_lim = om$omega.lim, alpha = om$alpha,
       G6 = om$G6, ECV = om$ECV, key = I(as.double(om$key)), sl = unclass(om$schmid$sl),
       oblique = unclass(om$schmid$oblique), phi = unclass(om$schmid$phi), gloading = I(as.double(om$schmid$gloading)),
       omega_group = as.matrix(om$omega.group),
       stats = list(STATISTIC = om$stats$STATISTIC, dof = om$stats$dof, rms = om$stats$rms,
                    RMSEA = I(as.double(om$stats$RMSEA[1:3])), objective = om$stats$objective),
       gstats = list(STATISTIC = om$gstats$STATISTIC, dof = om$gstats$dof, rms = om$gstats$rms,
                     RMSEA = I(as.double(om$gstats$RMSEA[1:3]))))
}
out$omega <- list(
  bfi_3 = om_store("psych::omega(items, plot = FALSE)"),
  bfi_5 = om_store("psych::omega(items, nfactors = 5, plot = FALSE)"),
  bfi15_pa_promax = om_store('psych::omega(items[, 1:15], nfactors = 3, fm = "pa", rotate = "promax", plot = FALSE)'),
  bfi10_2 = om_store("psych::omega(items[, 1:10], nfactors = 2, plot = FALSE)"),
  bfi10_2_first = om_store('psych::omega(items[, 1:10], nfactors = 2, option = "first", plot = FALSE)'),
  bfi5_1 = om_store("psych::omega(items[, 1:5], nfactors = 1, plot = FALSE)"),
  pbsc_3 = om_store("psych::omega(pbsc, plot = FALSE)"),
  pbsc_7_poly = om_store("psych::omega(pbsc, nfactors = 7, poly = TRUE, plot = FALSE)")
)

# -------------------------------------------------------------- fa.poly ---
fp_store <- function(cl) {
  fp <- go(cl)
  f <- fp$fa
  list(call = cl, rho = unclass(fp$rho), n_obs = fp$n.obs, loadings = unclass(f$loadings),
       Phi = if (is.null(f$Phi)) NULL else unclass(f$Phi), communality = f$communality,
       Vaccounted = unclass(f$Vaccounted), STATISTIC = f$STATISTIC, dof = f$dof, TLI = f$TLI,
       RMSEA = I(as.double(f$RMSEA[1:3])), rms = f$rms, objective = f$objective)
}
out$fa_poly <- list(
  bfi15_3 = fp_store("psych::fa.poly(items[, 1:15], nfactors = 3)"),
  pbsc_7 = fp_store("psych::fa.poly(pbsc, nfactors = 7)"),
  pbsc_7_pa_varimax = fp_store('psych::fa.poly(pbsc, nfactors = 7, fm = "pa", rotate = "varimax")')
)

# --------------------------------------------------------------- mardia ---
md_store <- function(cl) {
  md <- go(cl)
  list(call = cl, n_obs = md$n.obs, n_var = md$n.var, b1p = md$b1p, b2p = md$b2p, skew = md$skew,
       small_skew = md$small.skew, p_skew = md$p.skew, p_small = md$p.small, kurtosis = md$kurtosis,
       p_kurt = md$p.kurt, d = I(as.double(md$d)))
}
out$mardia <- list(
  bfi = md_store("psych::mardia(items, plot = FALSE)"),
  pbsc = md_store("psych::mardia(pbsc, plot = FALSE)"),
  bfi_A_small = md_store("psych::mardia(items[1:60, 1:5], plot = FALSE)")
)

# ------------------------------------------------------------ splitHalf ---
all_splits <- function(x, keys) {        # every split into floor(n/2) and the rest, brute force
  r <- cov2cor(cov(x, use = "pairwise")) * outer(keys, keys)   # psych's splitHalf correlations
  n <- ncol(r); tot <- sum(r)
  a <- combn(n, n %/% 2)
  if (n %% 2 == 0) a <- a[, a[1, ] == 1, drop = FALSE]       # each split once
  v <- apply(a, 2, function(o) { A <- rep(0, n); A[o] <- 1; 4 * sum(r * outer(A, 1 - A)) / tot })
  list(n_splits = length(v), max = max(v), min = min(v), mean = mean(v))
}
sh_store <- function(cl, x, brute = FALSE) {
  sh <- go(cl)
  res <- list(call = cl, maxrb = sh$maxrb, minrb = sh$minrb, meanr = sh$meanr, av_r = sh$av.r, med_r = sh$med.r,
              alpha = sh$alpha, lambda2 = sh$lambda2, lambda6 = sh$lambda6,
              ci = if (is.null(sh$raw)) NULL else I(as.double(sh$ci)),
              maxAB = lapply(sh$maxAB, I), minAB = lapply(sh$minAB, I),
              n_raw = if (is.null(sh$raw)) NULL else length(sh$raw))
  if (brute) {
    p1 <- psych::principal(x)
    res$all_splits <- all_splits(x, as.double(1 - 2 * (p1$loadings < 0)))
  }
  res
}
out$split_half <- list(
  bfi10 = sh_store("psych::splitHalf(items[, 1:10], raw = TRUE)", items[, 1:10], brute = TRUE),
  bfi16 = sh_store("psych::splitHalf(items[, 1:16], raw = TRUE)", items[, 1:16]),
  bfi9_odd = sh_store("psych::splitHalf(items[, 1:9], raw = TRUE)", items[, 1:9], brute = TRUE),
  pbl5_odd = sh_store("psych::splitHalf(pbsc[, 1:5], raw = TRUE)", pbsc[, 1:5], brute = TRUE),
  bfi25_sampled = sh_store("{set.seed(15); psych::splitHalf(items, raw = TRUE)}", items),
  pbsc29_sampled = sh_store("{set.seed(15); psych::splitHalf(pbsc, raw = TRUE)}", pbsc)
)
out$calls <- I(calls)
write_golden(out, "psych_cmb.json")
