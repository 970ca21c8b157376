# Golden values for resilience_stats.regression.process (PROCESS models 1-8, 14, 15, 58, 59) on
# ../data/process_scores.csv: OLS by lm(), HC0-HC4 standard errors by sandwich::vcovHC, Wald F tests by
# lmtest::waldtest, conditional effects and Johnson-Neyman boundaries from the coefficients and their
# covariance matrix (the quadratic solved here), indirect effects as products of coefficients, and
# nonparametric bootstrap by boot::boot over lm (5000 resamples, percentile intervals of boot.ci).
# The equations of each PROCESS model are written out by hand below (Hayes 2022, Appendix A), independently of
# the Python model builder. Replicate values on the fixed resamples of ../data/process_boot_indices.csv (the
# first 20 resamples resilience_stats draws for seed 0 on the 297 complete cases) check the batched bootstrap.
# Run: cd tests/golden && Rscript regression_process.R     -> regression_process.json

suppressPackageStartupMessages({
  library(sandwich)
  library(lmtest)
  library(boot)
})
source("_golden_helpers.R")

raw <- read.csv("../data/process_scores.csv")
cc <- raw[stats::complete.cases(raw), ]
idx <- as.matrix(read.csv("../data/process_boot_indices.csv"))
LEVEL <- 0.95
HC <- c("HC0", "HC1", "HC2", "HC3", "HC4")
COV <- c("age", "female")

# a design frame with product columns named "a__b" (shown as "a:b", the package's term names), in order
key <- function(term) gsub(":", "__", term, fixed = TRUE)
shown <- function(nm) sub("(Intercept)", "constant", gsub("__", ":", nm, fixed = TRUE), fixed = TRUE)
design <- function(d, terms) {
  out <- data.frame(row.names = seq_len(nrow(d)))
  for (t in terms) out[[paste(t, collapse = "__")]] <- Reduce(`*`, lapply(t, function(v) d[[v]]))
  out
}

eq_fit <- function(d, outcome, terms) {
  X <- design(d, terms)
  X$.y <- d[[outcome]]
  eval(bquote(lm(.y ~ ., data = .(X))))  # the data live in the call, so waldtest() can refit
}

eq_summary <- function(fit) {
  s <- summary(fit)
  cf <- coef(s)
  ci <- confint(fit, level = LEVEL)
  mm <- model.matrix(fit)
  y <- model.response(model.frame(fit))
  std <- coef(fit) * apply(mm, 2, sd) / sd(y)
  std[1] <- NA
  hc <- lapply(HC, function(type) {
    V <- vcovHC(fit, type = type)
    w <- waldtest(fit, vcov = V, test = "F")
    list(se = unname(sqrt(diag(V))), f = w$F[2], f_p = w[["Pr(>F)"]][2])
  })
  names(hc) <- HC
  list(names = I(shown(names(coef(fit)))), coef = unname(cf[, 1]), se = unname(cf[, 2]), t = unname(cf[, 3]),
       p = unname(cf[, 4]), ci_lower = unname(ci[, 1]), ci_upper = unname(ci[, 2]), std_coef = unname(std),
       r2 = s$r.squared, adj_r2 = s$adj.r.squared, mse = s$sigma^2, f = unname(s$fstatistic[1]),
       df1 = unname(s$fstatistic[2]), df2 = unname(s$fstatistic[3]),
       f_p = unname(pf(s$fstatistic[1], s$fstatistic[2], s$fstatistic[3], lower.tail = FALSE)),
       n = nrow(mm), hc = hc)
}

# estimate, se, t, p, CI of g'b
lin <- function(fit, g, V = vcov(fit)) {
  b <- coef(fit)
  est <- sum(g * b)
  se <- sqrt(drop(t(g) %*% V %*% g))
  tt <- est / se
  df <- df.residual(fit)
  q <- qt(0.5 + LEVEL / 2, df)
  list(effect = est, se = se, t = tt, p = 2 * pt(abs(tt), df, lower.tail = FALSE), ci_lower = est - q * se,
       ci_upper = est + q * se)
}

gvec <- function(fit, weights) {
  g <- setNames(rep(0, length(coef(fit))), names(coef(fit)))
  g[key(names(weights))] <- unlist(weights)
  g
}

# Johnson-Neyman: theta(v) = g0'b + v g1'b; solve theta^2 = t^2 Var(theta) (quadratic a v^2 + b v + c = 0)
jn <- function(fit, g0, g1, V = vcov(fit)) {
  b <- coef(fit)
  tc2 <- qt(0.5 + LEVEL / 2, df.residual(fit))^2
  e0 <- sum(g0 * b); e1 <- sum(g1 * b)
  A <- e1^2 - tc2 * drop(t(g1) %*% V %*% g1)
  B <- 2 * (e0 * e1 - tc2 * drop(t(g0) %*% V %*% g1))
  C <- e0^2 - tc2 * drop(t(g0) %*% V %*% g0)
  disc <- B^2 - 4 * A * C
  if (disc < 0) return(numeric(0))
  sort((-B + c(-1, 1) * sqrt(disc)) / (2 * A))
}

q6 <- function(v) unname(quantile(v, c(0.16, 0.5, 0.84), type = 6))
records <- function(lst) do.call(rbind, lapply(lst, as.data.frame))

# ------------------------------------------------------------------------------------------------- models
# Each model: equations (outcome -> list of terms; covariates last), written from Hayes' templates.
M <- list()
cv <- lapply(COV, function(v) v)
M$m1 <- list(RES = c(list("PBL", "tenure", c("PBL", "tenure")), cv))
M$m2 <- list(RES = c(list("PBL", "tenure", "party_member", c("PBL", "tenure"), c("PBL", "party_member")), cv))
M$m3 <- list(RES = c(list("PBL", "party_member", "tenure", c("PBL", "party_member"), c("PBL", "tenure"),
                          c("party_member", "tenure"), c("PBL", "party_member", "tenure")), cv))
M$m4 <- list(NET = c(list("PBL"), cv), NORM = c(list("PBL"), cv), TRUST = c(list("PBL"), cv),
             RES = c(list("PBL", "NET", "NORM", "TRUST"), cv))
M$m5 <- list(NET = c(list("PBL"), cv), RES = c(list("PBL", "NET", "tenure", c("PBL", "tenure")), cv))
M$m6 <- list(NET = c(list("PBL"), cv), NORM = c(list("PBL", "NET"), cv), TRUST = c(list("PBL", "NET", "NORM"), cv),
             RES = c(list("PBL", "NET", "NORM", "TRUST"), cv))
M$m7 <- list(NET = c(list("PBL", "tenure", c("PBL", "tenure")), cv),
             TRUST = c(list("PBL", "tenure", c("PBL", "tenure")), cv),
             RES = c(list("PBL", "NET", "TRUST"), cv))
M$m8 <- list(NET = c(list("PBL", "tenure", c("PBL", "tenure")), cv),
             RES = c(list("PBL", "NET", "tenure", c("PBL", "tenure")), cv))
M$m14 <- list(NET = c(list("PBL"), cv), RES = c(list("PBL", "NET", "tenure", c("NET", "tenure")), cv))
M$m15 <- list(NET = c(list("PBL"), cv),
              RES = c(list("PBL", "NET", "tenure", c("PBL", "tenure"), c("NET", "tenure")), cv))
M$m58 <- list(NET = c(list("PBL", "tenure", c("PBL", "tenure")), cv),
              RES = c(list("PBL", "NET", "tenure", c("NET", "tenure")), cv))
M$m59 <- list(NET = c(list("PBL", "tenure", c("PBL", "tenure")), cv),
              RES = c(list("PBL", "NET", "tenure", c("PBL", "tenure"), c("NET", "tenure")), cv))

fit_all <- function(spec, d) lapply(names(spec), function(o) eq_fit(d, o, spec[[o]])) |> setNames(names(spec))

W <- q6(cc$tenure)
Wsd <- mean(cc$tenure) + c(-1, 0, 1) * sd(cc$tenure)
Z3 <- q6(cc$tenure)            # model 3: W = party_member (0/1), Z = tenure

# the effects of each model, as functions of fitted equations -------------------------------------------
b <- function(f, o, term) unname(coef(f[[o]])[key(term)])
effects <- list(
  m4 = function(f) {
    ind <- sapply(c("NET", "NORM", "TRUST"), function(m) b(f, m, "PBL") * b(f, "RES", m))
    c(ind, total = sum(ind))
  },
  m6 = function(f) {
    a1 <- b(f, "NET", "PBL"); a2 <- b(f, "NORM", "PBL"); a3 <- b(f, "TRUST", "PBL")
    d21 <- b(f, "NORM", "NET"); d31 <- b(f, "TRUST", "NET"); d32 <- b(f, "TRUST", "NORM")
    b1 <- b(f, "RES", "NET"); b2 <- b(f, "RES", "NORM"); b3 <- b(f, "RES", "TRUST")
    ind <- c(`PBL -> NET -> RES` = a1 * b1, `PBL -> NORM -> RES` = a2 * b2, `PBL -> TRUST -> RES` = a3 * b3,
             `PBL -> NET -> NORM -> RES` = a1 * d21 * b2, `PBL -> NET -> TRUST -> RES` = a1 * d31 * b3,
             `PBL -> NORM -> TRUST -> RES` = a2 * d32 * b3, `PBL -> NET -> NORM -> TRUST -> RES` = a1 * d21 * d32 * b3)
    c(ind, total = sum(ind))
  },
  m5 = function(f) c(`PBL -> NET -> RES` = b(f, "NET", "PBL") * b(f, "RES", "NET")),
  m7 = function(f) {
    out <- c()
    for (m in c("NET", "TRUST")) {
      a <- b(f, m, "PBL") + b(f, m, "PBL:tenure") * W
      out <- c(out, setNames(a * b(f, "RES", m), paste0("PBL -> ", m, " -> RES | w=", seq_along(W))))
    }
    c(out, `index NET` = b(f, "NET", "PBL:tenure") * b(f, "RES", "NET"),
      `index TRUST` = b(f, "TRUST", "PBL:tenure") * b(f, "RES", "TRUST"))
  },
  m8 = function(f) {
    a <- b(f, "NET", "PBL") + b(f, "NET", "PBL:tenure") * W
    c(setNames(a * b(f, "RES", "NET"), paste0("w=", seq_along(W))), index = b(f, "NET", "PBL:tenure") * b(f, "RES", "NET"))
  },
  m14 = function(f) {
    bb <- b(f, "RES", "NET") + b(f, "RES", "NET:tenure") * W
    c(setNames(b(f, "NET", "PBL") * bb, paste0("w=", seq_along(W))), index = b(f, "NET", "PBL") * b(f, "RES", "NET:tenure"))
  },
  m15 = function(f) {
    bb <- b(f, "RES", "NET") + b(f, "RES", "NET:tenure") * W
    c(setNames(b(f, "NET", "PBL") * bb, paste0("w=", seq_along(W))), index = b(f, "NET", "PBL") * b(f, "RES", "NET:tenure"))
  },
  m58 = function(f) {
    a <- b(f, "NET", "PBL") + b(f, "NET", "PBL:tenure") * W
    bb <- b(f, "RES", "NET") + b(f, "RES", "NET:tenure") * W
    setNames(a * bb, paste0("w=", seq_along(W)))
  },
  m59 = function(f) {
    a <- b(f, "NET", "PBL") + b(f, "NET", "PBL:tenure") * W
    bb <- b(f, "RES", "NET") + b(f, "RES", "NET:tenure") * W
    setNames(a * bb, paste0("w=", seq_along(W)))
  }
)

# conditional effects (simple slopes) and Johnson-Neyman of the moderated paths ---------------------------
slopes_of <- function(fit, focal, mod_term, values, V = vcov(fit)) {
  records(lapply(values, function(v) c(value = v, lin(fit, gvec(fit, setNames(list(1, v), c(focal, mod_term))), V))))
}
jn_of <- function(fit, focal, mod_term, V = vcov(fit)) {
  jn(fit, gvec(fit, setNames(list(1), focal)), gvec(fit, setNames(list(1), mod_term)), V)
}

out <- list(meta = meta_info(), level = LEVEL, n = nrow(cc), n_raw = nrow(raw), w_values = W, w_meansd = Wsd,
            z3_values = Z3, models = list(), calls = list())
out$meta$sandwich_version <- pkg_version("sandwich")
out$meta$lmtest_version <- pkg_version("lmtest")
out$meta$boot_version <- pkg_version("boot")

for (name in names(M)) {
  f <- fit_all(M[[name]], cc)
  entry <- list(equations = lapply(f, eq_summary))
  if (!is.null(effects[[name]])) entry$effects <- as.list(effects[[name]](f))
  out$models[[name]] <- entry
}

# total effect models of 4 and 6
tot <- eq_fit(cc, "RES", c(list("PBL"), cv))
out$models$m4$total <- eq_summary(tot)
out$models$m6$total <- out$models$m4$total

# model 1: slopes at percentiles and mean +/- SD, classical and HC3; JN classical and HC3; centred fit
f1 <- fit_all(M$m1, cc)$RES
V3 <- vcovHC(f1, type = "HC3")
out$models$m1$slopes <- slopes_of(f1, "PBL", "PBL:tenure", W)
out$models$m1$slopes_meansd <- slopes_of(f1, "PBL", "PBL:tenure", Wsd)
out$models$m1$slopes_hc3 <- slopes_of(f1, "PBL", "PBL:tenure", W, V3)
out$models$m1$jn <- jn_of(f1, "PBL", "PBL:tenure")
out$models$m1$jn_hc3 <- jn_of(f1, "PBL", "PBL:tenure", V3)
out$models$m1$jn_effect_at_boundary <- records(lapply(out$models$m1$jn, function(v)
  lin(f1, gvec(f1, list(PBL = 1, `PBL:tenure` = v)))))
cen <- cc
cen$PBL <- cen$PBL - mean(cen$PBL); cen$tenure <- cen$tenure - mean(cen$tenure)
out$models$m1$centered <- eq_summary(eq_fit(cen, "RES", M$m1$RES))
# model 2: slopes on the W x Z grid (Z = party_member, dichotomous: both values)
f2 <- fit_all(M$m2, cc)$RES
grid <- expand.grid(w = W, z = c(0, 1))
out$models$m2$slopes <- records(lapply(seq_len(nrow(grid)), function(i)
  c(w = grid$w[i], z = grid$z[i], lin(f2, gvec(f2, list(PBL = 1, `PBL:tenure` = grid$w[i],
                                                         `PBL:party_member` = grid$z[i]))))))
# model 3 (W = party_member, Z = tenure): slopes of X on the grid, the conditional X:W interaction at Z, JN of it
f3 <- fit_all(M$m3, cc)$RES
grid3 <- expand.grid(z = Z3, w = c(0, 1))
out$models$m3$slopes <- records(lapply(seq_len(nrow(grid3)), function(i) {
  w <- grid3$w[i]; z <- grid3$z[i]
  c(w = w, z = z, lin(f3, gvec(f3, list(PBL = 1, `PBL:party_member` = w, `PBL:tenure` = z,
                                        `PBL:party_member:tenure` = w * z))))
}))
out$models$m3$interaction <- slopes_of(f3, "PBL:party_member", "PBL:party_member:tenure", Z3)
out$models$m3$jn <- jn_of(f3, "PBL:party_member", "PBL:party_member:tenure")
# path-level JN in the moderated mediation models
f7 <- fit_all(M$m7, cc)
out$models$m7$jn_net <- jn_of(f7$NET, "PBL", "PBL:tenure")
out$models$m7$slopes_net <- slopes_of(f7$NET, "PBL", "PBL:tenure", W)
f14 <- fit_all(M$m14, cc)
out$models$m14$jn <- jn_of(f14$RES, "NET", "NET:tenure")
f5 <- fit_all(M$m5, cc)
out$models$m5$direct <- slopes_of(f5$RES, "PBL", "PBL:tenure", W)
out$models$m5$jn <- jn_of(f5$RES, "PBL", "PBL:tenure")

# replicate values on fixed resamples ---------------------------------------------------------------------
fixed <- list()
for (name in c("m4", "m6", "m7", "m14", "m58")) {
  vals <- t(apply(idx, 2, function(i) effects[[name]](fit_all(M[[name]], cc[i, ]))))
  fixed[[name]] <- list(columns = I(colnames(vals)), values = unname(vals))
}
out$fixed_resamples <- fixed

# boot::boot over lm, 5000 resamples, percentile intervals ---------------------------------------------------
R_BOOT <- 5000
out$boot <- list(R = R_BOOT)
timing <- list()
for (name in c("m4", "m6", "m7", "m14", "m58")) {
  set.seed(2025)
  stat <- function(d, i) effects[[name]](fit_all(M[[name]], d[i, ]))
  tm <- system.time(bt <- boot(cc, stat, R = R_BOOT))
  est <- bt$t0
  res <- lapply(seq_along(est), function(j) {
    ci <- boot.ci(bt, conf = LEVEL, type = "perc", index = j)$percent
    list(name = names(est)[j], est = unname(est[j]), boot_se = sd(bt$t[, j]), ci_lower = ci[4], ci_upper = ci[5])
  })
  out$boot[[name]] <- records(res)
  timing[[name]] <- unname(tm["elapsed"])
}
out$boot$seconds <- timing
out$calls <- list(lm = "lm(y ~ ., data = design)", hc = "sandwich::vcovHC(fit, type = HC0..HC4)",
                  wald = "lmtest::waldtest(fit, vcov = V, test = 'F')",
                  boot = "set.seed(2025); boot::boot(cc, stat, R = 5000); boot.ci(type = 'perc')",
                  percentiles = "quantile(x, c(.16, .5, .84), type = 6)")
write_golden(out, "regression_process.json")
