# Golden values for resilience_stats.regression.ordered_logit on ../data/ordered_trust.csv:
# MASS::polr (logistic, tight optimizer tolerance) coefficients, cut points and their covariance; odds ratios;
# average marginal effects on each category's probability computed here from (beta, zeta) with delta-method SEs
# (central finite differences); the Brant (1990) test written out in R from separate binary glm() fits of
# Y > j and the covariance formula (X'W_jj X)^-1 X'W_jl X (X'W_ll X)^-1, W_jl = diag(pi_l - pi_j pi_l), j <= l.
# Also the brant package's published example (MASS::survey; written to ../data/mass_survey_smoke.csv).
# Run: cd tests/golden && Rscript regression_ordered.R     -> regression_ordered.json

suppressPackageStartupMessages(library(MASS))
source("_golden_helpers.R")

d <- read.csv("../data/ordered_trust.csv")
xs <- c("PBL", "female", "tenure")
fit <- polr(factor(trust) ~ PBL + female + tenure, data = d, Hess = TRUE, method = "logistic",
            control = list(reltol = 1e-15, maxit = 10000))
beta <- coef(fit); zeta <- fit$zeta
V <- vcov(fit)                       # order: beta, zeta
se <- sqrt(diag(V))
X <- as.matrix(d[, xs])
K <- length(beta); J <- length(zeta) + 1

ame <- function(theta) {
  b <- theta[1:K]; z <- theta[-(1:K)]
  eta <- drop(X %*% b)
  cuts <- c(-Inf, z, Inf)
  dens <- sapply(cuts, function(cc) if (is.finite(cc)) dlogis(cc - eta) else rep(0, length(eta)))
  dp <- dens[, 1:J] - dens[, 2:(J + 1)]
  as.vector(t(outer(b, colMeans(dp))))   # term-major: term 1 categories 1..J, term 2 ...
}
theta <- c(beta, zeta)
a0 <- ame(theta)
jac <- sapply(seq_along(theta), function(i) {
  h <- 1e-6 * max(1, abs(theta[i])); up <- theta; dn <- theta
  up[i] <- up[i] + h; dn[i] <- dn[i] - h
  (ame(up) - ame(dn)) / (2 * h)
})
ame_se <- sqrt(diag(jac %*% V %*% t(jac)))

# Brant test: separate binary logits of Y > j, their joint covariance, Wald tests of equal slopes
brant_r <- function(X, y, names) {
  K <- ncol(X); cats <- sort(unique(y)); J <- length(cats)
  Xc <- cbind(1, X); k1 <- K + 1
  bins <- lapply(seq_len(J - 1), function(j) glm((y > cats[j]) ~ X, family = binomial(),
                                                 control = glm.control(epsilon = 1e-14, maxit = 100)))
  B <- lapply(bins, coef); P <- lapply(bins, fitted)
  Vb <- matrix(0, (J - 1) * k1, (J - 1) * k1)
  inv <- lapply(P, function(p) solve(t(Xc) %*% (Xc * (p * (1 - p)))))
  for (j in 1:(J - 1)) for (l in j:(J - 1)) {
    w <- P[[l]] - P[[j]] * P[[l]]
    blk <- inv[[j]] %*% (t(Xc) %*% (Xc * w)) %*% inv[[l]]
    Vb[((j - 1) * k1 + 1):(j * k1), ((l - 1) * k1 + 1):(l * k1)] <- blk
    Vb[((l - 1) * k1 + 1):(l * k1), ((j - 1) * k1 + 1):(j * k1)] <- t(blk)
  }
  bstack <- unlist(B)
  wald <- function(vars) {
    D <- NULL
    for (j in 2:(J - 1)) for (k in vars) {
      r <- rep(0, length(bstack)); r[1 + k] <- 1; r[(j - 1) * k1 + 1 + k] <- -1; D <- rbind(D, r)
    }
    dd <- D %*% bstack
    stat <- drop(t(dd) %*% solve(D %*% Vb %*% t(D)) %*% dd)
    list(chi2 = stat, df = nrow(D), p = pchisq(stat, nrow(D), lower.tail = FALSE))
  }
  list(tests = c(list(omnibus = wald(1:K)), setNames(lapply(1:K, wald), names)), binary_coef = lapply(B, unname))
}
br <- brant_r(X, d$trust, xs)
brant <- br$tests

out <- list(meta = meta_info(), n = nrow(d), terms = I(xs), coef = unname(beta), se = unname(se[1:K]),
            zeta = unname(zeta), zeta_se = unname(se[-(1:K)]), odds_ratio = unname(exp(beta)),
            loglik = as.numeric(logLik(fit)), aic = AIC(fit), ame = a0, ame_se = ame_se,
            binary_coef = br$binary_coef, brant = brant,
            calls = list(polr = "polr(factor(trust) ~ PBL + female + tenure, Hess = TRUE, method = 'logistic')",
                         binary = "glm((y > cats[j]) ~ X, family = binomial())"))
# Published worked example of the brant package (documentation of brant::brant, example output): MASS::survey,
# Smoke (Never < Occas < Regul < Heavy) ~ Sex + Height; written to ../data/mass_survey_smoke.csv (complete cases).
sv <- MASS::survey
sm <- data.frame(smoke = as.integer(ordered(sv$Smoke, levels = c("Never", "Occas", "Regul", "Heavy"))),
                 male = as.integer(sv$Sex == "Male"), height = sv$Height)
sm <- sm[complete.cases(sm), ]
rownames(sm) <- NULL
write_csv_exact(sm, "../data/mass_survey_smoke.csv")
sfit <- polr(factor(smoke) ~ male + height, data = sm, Hess = TRUE, control = list(reltol = 1e-15, maxit = 10000))
smoke_brant <- brant_r(as.matrix(sm[, c("male", "height")]), sm$smoke, c("male", "height"))$tests
smoke <- list(n = nrow(sm), coef = unname(coef(sfit)), zeta = unname(sfit$zeta), brant = smoke_brant,
              published = list(coef = c(0.09478, 0.02785), zeta = c(6.3113, 6.9224, 7.8802),
                               chi2 = c(omnibus = 3.28, male = 1.58, height = 0.02), df = c(4, 2, 2),
                               p = c(0.51, 0.45, 0.99), deviance = 287.0276),
              deviance = unname(sfit$deviance))

out$smoke <- smoke
out$meta$mass_version <- pkg_version("MASS")
write_golden(out, "regression_ordered.json")
