# Golden reference values for resilience_stats.indices (composite indices of communities).
# Run:    cd tests/golden && Rscript indices_methods.R
# Writes: tests/golden/indices_methods.json, tests/data/index_communities.csv
#
# An independent implementation in base R (no package implements all of these with the same conventions),
# written from the method papers, not from the Python code:
#   min-max normalization with direction: benefit (x - min)/(max - min), cost (max - x)/(max - min);
#     with shift s: s + (1 - s) * z;
#   entropy weights (e.g. Zou, Yun & Sun 2006): p = z / colSums(z), e = -sum(p log p)/log(n) with 0 log 0 = 0,
#     d = 1 - e, w = d / sum(d);
#   CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995): sd (n - 1), conflict = sum(1 - cor), C = sd * conflict,
#     w = C / sum(C);
#   TOPSIS (Hwang & Yoon 1981): on V = z * w the ideal is the column max, the anti-ideal the min,
#     closeness = D- / (D+ + D-); "vector": r = x / sqrt(colSums(x^2)), ideal of a cost column at its min;
#   obstacle degree: O = w (1 - z) / rowSums(w (1 - z));
#   combined weights: multiplicative prod / sum(prod); game theory: solve(U U', diag(U U')), |a| / sum|a|;
#   AHP (Saaty 1980): principal eigenvector of base::eigen, lambda_max, CI = (lambda - n)/(n - 1), CR = CI / RI
#     with Saaty's RI (3: .58, 4: .90, 5: 1.12).
# Data: "aircraft" is after the fighter-aircraft decision matrix of Hwang & Yoon's (1981) TOPSIS example
# (4 alternatives, 6 attributes, the 4th a cost; weights .2 .1 .1 .1 .2 .3); "communities" (12 communities x
# 2 waves x 5 indicators, the 5th a cost) is simulated here (seed 16) and written to ../data/index_communities.csv;
# the AHP "leader" matrix is the criteria matrix of the AHP leader example (experience, education, charisma, age)
# of the Wikipedia article "Analytic hierarchy process - leader example"; "inconsistent" is made up (CR > .10).

source("_golden_helpers.R")
data_dir <- file.path("..", "data")

minmax <- function(x, positive, shift = 0) {
  z <- sapply(seq_len(ncol(x)), function(j) {
    v <- x[, j]; r <- max(v) - min(v)
    if (positive[j]) (v - min(v)) / r else (max(v) - v) / r
  })
  z <- matrix(z, nrow(x))
  if (shift > 0) shift + (1 - shift) * z else z
}
entropy_w <- function(z) {
  n <- nrow(z)
  p <- sweep(z, 2, colSums(z), "/")
  plogp <- ifelse(p > 0, p * log(p), 0)
  e <- -colSums(plogp) / log(n)
  d <- 1 - e
  list(entropy = e, divergence = d, weight = d / sum(d))
}
critic_w <- function(z) {
  s <- apply(z, 2, sd)
  conflict <- colSums(1 - cor(z))
  C <- s * conflict
  list(sd = s, conflict = conflict, information = C, weight = C / sum(C))
}
topsis_mm <- function(z, w) {
  V <- sweep(z, 2, w, "*")
  best <- apply(V, 2, max); worst <- apply(V, 2, min)
  dp <- sqrt(rowSums(sweep(V, 2, best)^2)); dn <- sqrt(rowSums(sweep(V, 2, worst)^2))
  list(d_pos = dp, d_neg = dn, closeness = dn / (dp + dn))
}
topsis_vec <- function(x, w, positive) {
  R <- sweep(x, 2, sqrt(colSums(x^2)), "/")
  V <- sweep(R, 2, w, "*")
  best <- ifelse(positive, apply(V, 2, max), apply(V, 2, min))
  worst <- ifelse(positive, apply(V, 2, min), apply(V, 2, max))
  dp <- sqrt(rowSums(sweep(V, 2, best)^2)); dn <- sqrt(rowSums(sweep(V, 2, worst)^2))
  list(d_pos = dp, d_neg = dn, closeness = dn / (dp + dn))
}
obstacle <- function(z, w) {
  contrib <- sweep(1 - z, 2, w, "*")
  contrib / rowSums(contrib)
}
game <- function(U) {
  G <- U %*% t(U)
  a <- solve(G, diag(G))
  alpha <- abs(a) / sum(abs(a))
  w <- drop(alpha %*% U)
  list(alpha = alpha, weight = w / sum(w))
}
RI <- c(0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
ahp <- function(A) {
  ev <- eigen(A)
  k <- which.max(Re(ev$values))
  w <- abs(Re(ev$vectors[, k])); w <- w / sum(w)
  lam <- Re(ev$values[k]); n <- nrow(A)
  ci <- (lam - n) / (n - 1)
  list(weights = w, lambda_max = lam, ci = ci, cr = ci / RI[n])
}

analyse <- function(x, positive, w_given = NULL, shift = 0) {
  z <- minmax(x, positive, shift)
  ent <- entropy_w(z); cri <- critic_w(z)
  out <- list(positive = I(positive), shift = shift, normalized = z, entropy = ent, critic = cri,
              topsis_entropy = topsis_mm(z, ent$weight), topsis_critic = topsis_mm(z, cri$weight),
              weighted_sum_entropy = I(drop(z %*% ent$weight)),
              obstacle_entropy = obstacle(z, ent$weight),
              game_entropy_critic = game(rbind(ent$weight, cri$weight)),
              multiplicative_entropy_critic = I({p <- ent$weight * cri$weight; p / sum(p)}))
  if (!is.null(w_given)) {
    out$weights_given <- I(w_given)
    out$topsis_given <- topsis_mm(z, w_given)
    out$topsis_vector_given <- topsis_vec(x, w_given, positive)
  }
  out
}

aircraft <- rbind(c(2.0, 1500, 20000, 5.5, 5, 9),
                  c(2.5, 2700, 18000, 6.5, 3, 5),
                  c(1.8, 2000, 21000, 4.5, 7, 7),
                  c(2.2, 1800, 20000, 5.0, 5, 5))
colnames(aircraft) <- c("speed", "range", "payload", "cost", "reliability", "maneuverability")
air_pos <- c(TRUE, TRUE, TRUE, FALSE, TRUE, TRUE)
air_w <- c(0.2, 0.1, 0.1, 0.1, 0.2, 0.3)

set.seed(16)
n_comm <- 12
base <- matrix(runif(n_comm * 5, 2, 4.5), n_comm, 5)
comm <- data.frame(community = rep(sprintf("C%02d", seq_len(n_comm)), 2), wave = rep(1:2, each = n_comm))
X <- rbind(base, base + matrix(rnorm(n_comm * 5, 0.15, 0.2), n_comm, 5))
X <- round(X, 3)
colnames(X) <- c("trust", "networks", "norms", "recovery", "conflicts")
comm <- cbind(comm, X)
write_csv_exact(comm, file.path(data_dir, "index_communities.csv"))
comm_pos <- c(TRUE, TRUE, TRUE, TRUE, FALSE)
Xc <- as.matrix(comm[, colnames(X)])
Xw1 <- as.matrix(comm[comm$wave == 1, colnames(X)])

leader <- rbind(c(1, 4, 3, 7), c(1/4, 1, 1/3, 3), c(1/3, 3, 1, 5), c(1/7, 1/3, 1/5, 1))
inconsistent <- rbind(c(1, 5, 1/3, 7, 2), c(1/5, 1, 4, 1/2, 3), c(3, 1/4, 1, 6, 1/5),
                      c(1/7, 2, 1/6, 1, 4), c(1/2, 1/3, 5, 1/4, 1))
pbl_ahp <- rbind(c(1, 3, 5, 2, 4), c(1/3, 1, 3, 1/2, 2), c(1/5, 1/3, 1, 1/4, 1/2),
                 c(1/2, 2, 4, 1, 3), c(1/4, 1/2, 2, 1/3, 1))
ahp_c <- ahp(pbl_ahp)
comm_all <- analyse(Xc, comm_pos)
z_all <- minmax(Xc, comm_pos)
ent_all <- comm_all$entropy$weight
U <- rbind(ahp_c$weights, ent_all)
combined <- list(game = game(U), multiplicative = I({p <- ahp_c$weights * ent_all; p / sum(p)}))
combined$topsis_game <- topsis_mm(z_all, combined$game$weight)

out <- list(
  meta = meta_info(),
  aircraft = c(list(data = aircraft), analyse(aircraft, air_pos, air_w)),
  communities_pooled = comm_all,
  communities_pooled_shift = analyse(Xc, comm_pos, shift = 0.01),
  communities_wave1 = analyse(Xw1, comm_pos),
  ahp_leader = ahp(leader),
  ahp_inconsistent = ahp(inconsistent),
  ahp_communities = c(list(matrix = pbl_ahp), ahp_c),
  combined_ahp_entropy = combined
)
write_golden(out, "indices_methods.json")
