# Golden values for resilience_stats.regression.hierarchical_regression on ../data/process_scores.csv:
# lm() per step on the complete cases of every variable, anova() F change between steps, sandwich::vcovHC +
# lmtest::waldtest for HC0-HC4 (F change as the Wald F of the added terms, SEs), car::vif, standardized
# coefficients as b * SD(term) / SD(y) and from lm() on z-scored variables with products of z-scores.
# Run: cd tests/golden && Rscript regression_hierarchical.R     -> regression_hierarchical.json

suppressPackageStartupMessages({
  library(sandwich)
  library(lmtest)
  library(car)
})
source("_golden_helpers.R")

raw <- read.csv("../data/process_scores.csv")
vars <- c("RES", "age", "female", "PBL", "tenure")
d <- raw[stats::complete.cases(raw[, vars]), vars]
d$PBL_tenure <- d$PBL * d$tenure
z <- as.data.frame(scale(d[, vars]))
z$PBL_tenure <- z$PBL * z$tenure
HC <- c("HC0", "HC1", "HC2", "HC3", "HC4")
forms <- list(RES ~ age + female, RES ~ age + female + PBL + tenure, RES ~ age + female + PBL + tenure + PBL_tenure)
fits <- lapply(forms, function(f) eval(bquote(lm(.(f), data = d))))
zfits <- lapply(forms, function(f) eval(bquote(lm(.(f), data = z))))

steps <- list()
for (k in seq_along(fits)) {
  f <- fits[[k]]
  s <- summary(f)
  prev <- if (k == 1) lm(RES ~ 1, data = d) else fits[[k - 1]]
  a <- anova(prev, f)
  mm <- model.matrix(f)
  hc <- lapply(HC, function(type) {
    V <- vcovHC(f, type = type)
    w <- waldtest(prev, f, vcov = V, test = "F")
    overall <- waldtest(f, vcov = V, test = "F")
    list(se = unname(sqrt(diag(V))), f_change = w$F[2], p_change = w[["Pr(>F)"]][2], f = overall$F[2],
         p = overall[["Pr(>F)"]][2])
  })
  names(hc) <- HC
  ci <- confint(f)
  steps[[k]] <- list(
    names = I(sub("(Intercept)", "constant", sub("PBL_tenure", "PBL:tenure", names(coef(f))), fixed = TRUE)),
    coef = unname(coef(f)), se = unname(coef(s)[, 2]), t = unname(coef(s)[, 3]), p = unname(coef(s)[, 4]),
    ci_lower = unname(ci[, 1]), ci_upper = unname(ci[, 2]),
    beta_sd = unname((coef(f) * apply(mm, 2, sd) / sd(d$RES))[-1]), beta_z = unname(coef(zfits[[k]])[-1]),
    vif = if (ncol(mm) > 2) unname(vif(f)) else I(1),
    r2 = s$r.squared, adj_r2 = s$adj.r.squared, f = unname(s$fstatistic[1]),
    f_change = a$F[2], df1 = a$Df[2], df2 = a$Res.Df[2], p_change = a[["Pr(>F)"]][2],
    r2_change = s$r.squared - (if (k == 1) 0 else summary(fits[[k - 1]])$r.squared), hc = hc)
}
out <- list(meta = meta_info(), n = nrow(d), steps = steps,
            calls = list(lm = "lm(RES ~ age + female [+ PBL + tenure [+ PBL_tenure]], data = d)",
                         change = "anova(previous, step)", hc = "waldtest(previous, step, vcov = vcovHC(step, type))",
                         vif = "car::vif(step)"))
out$meta$car_version <- pkg_version("car")
out$meta$sandwich_version <- pkg_version("sandwich")
write_golden(out, "regression_hierarchical.json")
