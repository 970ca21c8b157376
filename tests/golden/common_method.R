# Common-method-bias golden values (issue 15): lavaan single-factor CFA, measurement model and unmeasured latent
# method construct (ULMC, equal or free method loadings, orthogonal to the exogenous traits) with anova()
# chi-square differences (ML; MLR = Satorra-Bentler 2001); psych Harman shares (fa / principal with one
# unrotated factor); a direct computation of the Lindell-Whitney marker correction.
# Data: ../data/example_survey_pbsc.csv (instrument party_building_social_capital, complete) and
# ../data/cmb_method.csv (3 traits x 4 items + a marker, method factor built in, 1.5% missing; see README.md).
# Run:  cd tests/golden && Rscript common_method.R      Writes: tests/golden/common_method.json
source("_golden_helpers.R")
suppressPackageStartupMessages({ library(lavaan); library(psych) })
pbsc <- read.csv(file.path("..", "data", "example_survey_pbsc.csv"))
cmb <- read.csv(file.path("..", "data", "cmb_method.csv"))
out <- c(meta_info(), list(description = "common-method-bias golden values (issue 15)"))
calls <- character(0)
go <- function(cl) { calls <<- c(calls, cl); suppressWarnings(run(cl)) }

one_factor <- function(items) paste("G =~", paste(items, collapse = " + "))
ulmc <- function(mm, items, exo, loadings) {
  m <- if (loadings == "equal") paste("CMV =~", paste0("1*", items, collapse = " + "))
       else paste0("CMV =~ NA*", items[1], paste0(" + ", items[-1], collapse = ""), "\nCMV ~~ 1*CMV")
  paste0(mm, "\n", m, "\n", paste0("CMV ~~ 0*", exo, collapse = "\n"))
}
anova_rec <- function(cl) {
  a <- go(cl)
  list(call = cl, chisq_diff = a[["Chisq diff"]][2], df_diff = a[["Df diff"]][2], pvalue = a[["Pr(>Chisq)"]][2])
}
fit_rec <- function(cl) {
  f <- go(cl)
  std <- lavaan::standardizedSolution(f)
  list(call = cl, converged = lavaan::lavInspect(f, "converged"), fit_measures = fm_list(f),
       parameter_estimates = pe_records(f), std_all = std[, c("lhs", "op", "rhs", "est.std")])
}

# ----------------------------------------------------------- pbsc (ML and MLR) ---
pbsc_items <- names(pbsc)
mm_pbsc <- paste("PBL =~ pbl1 + pbl2 + pbl3 + pbl4 + pbl5", "NET =~ net1 + net2 + net3 + net4",
                 "NORM =~ norm1 + norm2 + norm3 + norm4", "TRUST =~ trust1 + trust2 + trust3 + trust4",
                 "STAB =~ stab1 + stab2 + stab3 + stab4", "REC =~ rec1 + rec2 + rec3 + rec4",
                 "ADP =~ adp1 + adp2 + adp3 + adp4", "RES =~ STAB + REC + ADP", sep = "\n")
models <- list(pbsc_measurement = mm_pbsc, pbsc_single = one_factor(pbsc_items),
               pbsc_ulmc_equal = ulmc(mm_pbsc, pbsc_items, c("PBL", "NET", "NORM", "TRUST", "RES"), "equal"))
mm_cmb <- paste("NET =~ net1 + net2 + net3 + net4", "NORM =~ norm1 + norm2 + norm3 + norm4",
                "TRUST =~ trust1 + trust2 + trust3 + trust4", sep = "\n")
cmb_items <- names(cmb)[1:12]
models <- c(models, list(cmb_measurement = mm_cmb, cmb_single = one_factor(cmb_items),
                         cmb_ulmc_equal = ulmc(mm_cmb, cmb_items, c("NET", "NORM", "TRUST"), "equal"),
                         cmb_ulmc_free = ulmc(mm_cmb, cmb_items, c("NET", "NORM", "TRUST"), "free")))
out$models <- models

fits <- list()
for (nm in c("pbsc_measurement", "pbsc_single", "pbsc_ulmc_equal")) {
  fits[[paste0(nm, "_ml")]] <- fit_rec(sprintf("fit_%s_ml <- lavaan::cfa(models$%s, data = pbsc)", nm, nm))
  fits[[paste0(nm, "_mlr")]] <- fit_rec(sprintf('fit_%s_mlr <- lavaan::cfa(models$%s, data = pbsc, estimator = "MLR")',
                                                nm, nm))
}
# The free-loading ULMC: lavaan's default start values end in a local minimum with a negative factor variance
# (ML chi-square 38.94); start = "simple" reaches the global minimum (31.55), which the Python engine finds.
for (nm in c("cmb_measurement", "cmb_single", "cmb_ulmc_equal", "cmb_ulmc_free")) {
  st <- if (nm == "cmb_ulmc_free") ', start = "simple"' else ""
  fits[[paste0(nm, "_ml")]] <- fit_rec(sprintf("fit_%s_ml <- lavaan::cfa(models$%s, data = cmb%s)", nm, nm, st))
  fits[[paste0(nm, "_mlr_fiml")]] <- fit_rec(
    sprintf('fit_%s_mlr_fiml <- lavaan::cfa(models$%s, data = cmb, estimator = "MLR", missing = "ml"%s)', nm, nm, st))
}
out$fits <- fits
local_min <- go("lavaan::cfa(models$cmb_ulmc_free, data = cmb)")
out$cmb_ulmc_free_default_start <- list(call = "lavaan::cfa(models$cmb_ulmc_free, data = cmb)",
                                        chisq = lavaan::fitMeasures(local_min, "chisq")[[1]])
out$anova <- list(
  pbsc_single_ml = anova_rec("lavaan::anova(fit_pbsc_single_ml, fit_pbsc_measurement_ml)"),
  pbsc_ulmc_equal_ml = anova_rec("lavaan::anova(fit_pbsc_measurement_ml, fit_pbsc_ulmc_equal_ml)"),
  pbsc_single_mlr = anova_rec("lavaan::anova(fit_pbsc_single_mlr, fit_pbsc_measurement_mlr)"),
  pbsc_ulmc_equal_mlr = anova_rec("lavaan::anova(fit_pbsc_measurement_mlr, fit_pbsc_ulmc_equal_mlr)"),
  cmb_single_ml = anova_rec("lavaan::anova(fit_cmb_single_ml, fit_cmb_measurement_ml)"),
  cmb_ulmc_equal_ml = anova_rec("lavaan::anova(fit_cmb_measurement_ml, fit_cmb_ulmc_equal_ml)"),
  cmb_ulmc_free_ml = anova_rec("lavaan::anova(fit_cmb_measurement_ml, fit_cmb_ulmc_free_ml)"),
  cmb_single_mlr_fiml = anova_rec("lavaan::anova(fit_cmb_single_mlr_fiml, fit_cmb_measurement_mlr_fiml)"),
  cmb_ulmc_equal_mlr_fiml = anova_rec("lavaan::anova(fit_cmb_measurement_mlr_fiml, fit_cmb_ulmc_equal_mlr_fiml)"),
  cmb_ulmc_free_mlr_fiml = anova_rec("lavaan::anova(fit_cmb_measurement_mlr_fiml, fit_cmb_ulmc_free_mlr_fiml)")
)

# ------------------------------------------------------------------ Harman (psych) ---
harman <- function(x, label, use) {
  f1 <- go(sprintf('psych::fa(%s, nfactors = 1, rotate = "none", use = "%s")', label, use))
  pa <- go(sprintf('psych::fa(%s, nfactors = 1, fm = "pa", rotate = "none", use = "%s")', label, use))
  pc <- go(sprintf('psych::principal(%s, nfactors = 1, rotate = "none", use = "%s")', label, use))
  list(efa_minres = unclass(f1$Vaccounted)[, 1], efa_pa = unclass(pa$Vaccounted)[, 1],
       pca = unclass(pc$Vaccounted)[, 1])
}
cmb_items_df <- cmb[, 1:12]
out$harman <- list(pbsc = harman(pbsc, "pbsc", "pairwise"),
                   cmb_pairwise = harman(cmb_items_df, "cmb_items_df", "pairwise"),
                   cmb_listwise = harman(cmb_items_df, "cmb_items_df", "complete.obs"))

# ------------------------------------------------- Lindell-Whitney marker correction ---
score <- function(d) { k <- ncol(d); m <- rowMeans(d, na.rm = TRUE); m[rowSums(!is.na(d)) < ceiling(k / 2)] <- NA; m }
sc <- data.frame(NET = score(cmb[, 1:4]), NORM = score(cmb[, 5:8]), TRUST = score(cmb[, 9:12]), marker = cmb$marker)
sc <- sc[complete.cases(sc), ]
r <- cor(sc)
rm_cor <- r["marker", 1:3]
pos <- sort(rm_cor[rm_cor > 0])
lw <- function(r_m) {
  pairs <- t(combn(3, 2))
  rr <- r[1:3, 1:3][pairs]
  ra <- (rr - r_m) / (1 - r_m)
  tt <- ra / sqrt((1 - ra^2) / (nrow(sc) - 3))
  list(r_m = r_m, var1 = I(colnames(r)[pairs[, 1]]), var2 = I(colnames(r)[pairs[, 2]]), r = I(rr),
       r_corrected = I(ra), t = I(tt), p = I(2 * pt(-abs(tt), nrow(sc) - 3)))
}
out$marker <- list(n = nrow(sc), marker_correlations = rm_cor, smallest = lw(pos[1]), second_smallest = lw(pos[2]))
out$calls <- I(calls)
write_golden(out, "common_method.json")
