# Extra psych golden values for the psychometrics subpackage (beyond psych_bfi.json):
# principal-axis EFA, polychoric with unequal numbers of categories (per-pair thresholds, continuity
# correction), alpha with listwise deletion, KMO/Bartlett on a small complete data set.
# Run:  cd tests/golden && Rscript psych_extra.R      Writes: tests/golden/psych_extra.json
source("_golden_helpers.R")
suppressPackageStartupMessages({ library(psych); library(GPArotation) })
bfi <- read.csv(file.path("..", "data", "bfi.csv"))
items <- bfi[, 1:25]
out <- c(meta_info(), list(description = "psych extra golden values (psychometrics subpackage)"))

fa_store <- function(f, cl) list(call = cl, loadings = unclass(f$loadings), communality = f$communality,
  uniquenesses = f$uniquenesses, Phi = if (is.null(f$Phi)) NULL else unclass(f$Phi),
  Vaccounted = unclass(f$Vaccounted), values = I(f$values), STATISTIC = f$STATISTIC, dof = f$dof,
  TLI = f$TLI, RMSEA = f$RMSEA, rms = f$rms)
calls <- list(pa_oblimin = 'psych::fa(items, nfactors = 5, fm = "pa", rotate = "oblimin")',
              pa_varimax = 'psych::fa(items, nfactors = 5, fm = "pa", rotate = "varimax")',
              minres_promax_3 = 'psych::fa(items[, 1:15], nfactors = 3, fm = "minres", rotate = "promax")')
out$efa <- lapply(calls, function(cl) fa_store(suppressWarnings(run(cl)), cl))

# polychoric: A1 collapsed to 3 categories -> unequal categories, global = FALSE, correct = 0.5 (default) / 0
pdat <- items[, c("A1", "A2", "A3", "A4", "A5")]
pdat$A1 <- ceiling(pdat$A1 / 2)
p05 <- suppressWarnings(psych::polychoric(pdat))
p0 <- suppressWarnings(psych::polychoric(pdat, correct = 0))
out$polychoric_unequal <- list(
  recode = "pdat <- items[, c('A1','A2','A3','A4','A5')]; pdat$A1 <- ceiling(pdat$A1 / 2)",
  correct_05 = list(call = "psych::polychoric(pdat)", rho = unclass(p05$rho), tau = unclass(p05$tau)),
  correct_0 = list(call = "psych::polychoric(pdat, correct = 0)", rho = unclass(p0$rho), tau = unclass(p0$tau)))

# sparse: first 120 rows -> empty cells, continuity correction active (correct = 0.5) or not (0)
sdat <- pdat[1:120, ]
s05 <- suppressWarnings(psych::polychoric(sdat))
s0 <- suppressWarnings(psych::polychoric(sdat, correct = 0))
out$polychoric_sparse <- list(recode = "sdat <- pdat[1:120, ]",
  correct_05 = list(call = "psych::polychoric(sdat)", rho = unclass(s05$rho)),
  correct_0 = list(call = "psych::polychoric(sdat, correct = 0)", rho = unclass(s0$rho)))

# alpha with listwise deletion (use = "complete.obs")
a_lw <- psych::alpha(items[, c("A1", "A2", "A3", "A4", "A5")], keys = c(-1, 1, 1, 1, 1), check.keys = FALSE,
                     use = "complete.obs")
out$alpha_listwise <- list(call = 'psych::alpha(items[, A1:A5], keys = c(-1,1,1,1,1), use = "complete.obs")',
  raw_alpha = a_lw$total$raw_alpha, std_alpha = a_lw$total$std.alpha, average_r = a_lw$total$average_r,
  r_drop = I(a_lw$item.stats$r.drop), alpha_drop = I(a_lw$alpha.drop$raw_alpha),
  n_complete = sum(complete.cases(items[, 1:5])))
# item descriptives (skew / kurtosis type 3, psych's default)
dsc <- psych::describe(items)
out$describe <- list(call = "psych::describe(items)", skew = stats::setNames(dsc$skew, rownames(dsc)),
                     kurtosis = stats::setNames(dsc$kurtosis, rownames(dsc)), n = stats::setNames(dsc$n, rownames(dsc)))
out$calls <- I(c(unlist(calls), "psych::describe(items)", "psych::polychoric(pdat)", "psych::polychoric(pdat, correct = 0)",
                 "psych::alpha(..., use = 'complete.obs')"))
write_golden(out, "psych_extra.json")
