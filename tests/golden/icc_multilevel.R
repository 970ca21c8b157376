# Golden reference values for resilience_stats.psychometrics.icc (ICC(1), ICC(2), rwg(j), design effect).
# Run:    cd tests/golden && Rscript icc_multilevel.R
# Writes: tests/golden/icc_multilevel.json, tests/data/ordinal_clustered_likert.csv
# Reads:  tests/data/cluster_survey.csv (written by lavaan_wlsmv_bfi.R)
#
# R package multilevel 2.7 (Debian r-cran-multilevel): ICC1(), ICC2() of an aov() fit, rwg.j(), rwg().
#   multilevel::ICC1 = (MSB - MSW) / (MSB + (k - 1) MSW) with k = N / J, the MEAN group size
#     (its code: GSIZE <- (df_within + df_between + 1) / (df_between + 1)), not the adjusted k0;
#     psych::statsBy uses the same k (npr = N / J) -- both stored below for the construct scores.
#   k0 = (N - sum(n_j^2) / N) / (J - 1) (the unbiased ANOVA estimator for unequal sizes) is computed
#     here by hand (icc1_k0) for the group_size = "k0" option.
#   multilevel::ICC2 = (MSB - MSW) / MSB.
#   rwg.j(x, grpid, ranvar): per group S = mean of the item variances (var(), n - 1), S capped at ranvar,
#     rwg.j = J (1 - S/ranvar) / (J (1 - S/ranvar) + S/ranvar); NA for groups of size 1; rows with any
#     missing value are dropped (na.exclude).  ranvar = (A^2 - 1) / 12 for A response options.
#   rwg(x, grpid, ranvar): single item, 1 - var/ranvar with var capped at ranvar.
#   design effect = 1 + (N/J - 1) * ICC1 (computed here).
# Construct score = rowMeans of the construct's items over rows complete on those items.

source("_golden_helpers.R")
suppressPackageStartupMessages({
  library(multilevel)
  library(psych)
})
data_dir <- file.path("..", "data")

one_score <- function(score, grp) {
  ok <- !is.na(score) & !is.na(grp)
  score <- score[ok]; grp <- factor(grp[ok])
  fit <- aov(score ~ grp)
  tab <- summary(fit)[[1]]
  n_j <- as.vector(table(grp)); N <- sum(n_j); J <- length(n_j)
  msb <- tab[1, "Mean Sq"]; msw <- tab[2, "Mean Sq"]
  k0 <- (N - sum(n_j^2) / N) / (J - 1)
  icc1 <- multilevel::ICC1(fit)
  list(n_obs = N, n_clusters = J, mean_cluster_size = N / J, k0 = k0,
       msb = msb, msw = msw,
       icc1 = icc1, icc2 = multilevel::ICC2(fit),
       icc1_k0 = (msb - msw) / (msb + (k0 - 1) * msw),
       f_stat = tab[1, "F value"], df_between = tab[1, "Df"], df_within = tab[2, "Df"],
       p_value = tab[1, "Pr(>F)"],
       design_effect = 1 + (N / J - 1) * icc1)
}

construct_case <- function(df, items, cid, A) {
  X <- df[, items, drop = FALSE]
  score <- rowMeans(X)                                   # NA when any item is missing
  out <- one_score(score, df[[cid]])
  ranvar <- (A^2 - 1) / 12
  r <- if (length(items) > 1) multilevel::rwg.j(X, df[[cid]], ranvar = ranvar)$rwg.j
       else multilevel::rwg(X[[1]], df[[cid]], ranvar = ranvar)$rwg
  out$n_options <- A
  out$ranvar <- ranvar
  out$rwg_j <- I(r)                                      # per cluster, in sorted cluster order (NA = size 1)
  out$rwg_j_mean <- mean(r, na.rm = TRUE)
  out$rwg_j_median <- median(r, na.rm = TRUE)
  # statsBy needs 2+ variables: a filler column (row number) is added and ignored
  sb <- psych::statsBy(data.frame(score = score, filler = seq_along(score), g = df[[cid]])[!is.na(score), ],
                       group = "g")
  out$psych_statsBy_icc1 <- unname(sb$ICC1["score"])
  out$psych_statsBy_icc2 <- unname(sb$ICC2["score"])
  out
}

out <- c(meta_info(), list(
  multilevel_version = pkg_version("multilevel"),
  description = paste("ICC(1)/ICC(2) from aov() via multilevel::ICC1/ICC2, rwg(j) via multilevel::rwg.j",
                      "(single items: multilevel::rwg), design effect 1 + (N/J - 1) ICC1; construct score =",
                      "row mean of the items (complete rows)."),
  cases = list()))

# ------------------------------------------------- 1. cluster_survey.csv (balanced, continuous) ----
clus <- read.csv(file.path(data_dir, "cluster_survey.csv"))
cons1 <- list(f1 = c("y1", "y2", "y3"), f2 = c("y4", "y5", "y6"))
out$cases$cluster_survey <- list(
  data = "cluster_survey.csv", cluster = "cid", n_options = 5,
  constructs = lapply(cons1, I),
  by_construct = lapply(cons1, function(it) construct_case(clus, it, "cid", 5)),
  by_item = sapply(paste0("y", 1:6), function(v) construct_case(clus, v, "cid", 5), simplify = FALSE))

# ------------------------- 2. generated 5-point Likert data: unequal clusters, missing values ----
# 30 clusters of sizes 1..45 (one singleton), two constructs (3 + 4 items), 5 response options;
# cluster 7 is polarised (responses 1 or 5) so that its mean item variance exceeds (5^2 - 1)/12 = 2
# and rwg(j) is truncated to 0; about 3% missing item responses.
set.seed(2026L)
J <- 30L
sizes <- c(1L, 2L, 3L, sample(4:45, J - 3L, replace = TRUE))
cid <- rep(sprintf("c%02d", seq_len(J)), times = sizes)
N <- length(cid)
u <- rnorm(J, sd = 0.45)[match(cid, sprintf("c%02d", seq_len(J)))]
lik <- function(z) findInterval(z, c(-1.5, -0.5, 0.5, 1.5)) + 1L
f1 <- u + rnorm(N); f2 <- 0.6 * u + rnorm(N)
items <- cbind(sapply(1:3, function(k) lik(0.8 * f1 + rnorm(N, sd = 0.6))),
               sapply(1:4, function(k) lik(0.7 * f2 + rnorm(N, sd = 0.7))))
colnames(items) <- c(paste0("a", 1:3), paste0("b", 1:4))
pol <- which(cid == "c07")
items[pol, ] <- sample(c(1L, 5L), length(pol) * 7L, replace = TRUE)
miss <- sample.int(length(items), round(0.03 * length(items)))
items[miss] <- NA
lk <- data.frame(community = cid, items)
write_csv_exact(lk, file.path(data_dir, "ordinal_clustered_likert.csv"))
lk <- read.csv(file.path(data_dir, "ordinal_clustered_likert.csv"))
cons2 <- list(A = paste0("a", 1:3), B = paste0("b", 1:4))
out$cases$likert <- list(
  data = "ordinal_clustered_likert.csv", cluster = "community", n_options = 5,
  constructs = lapply(cons2, I),
  cluster_sizes = table(lk$community)[],
  by_construct = lapply(cons2, function(it) construct_case(lk, it, "community", 5)),
  by_item = sapply(c(cons2$A, cons2$B), function(v) construct_case(lk, v, "community", 5),
                   simplify = FALSE))
out$cases$likert$cluster_sizes <- setNames(as.double(table(lk$community)), names(table(lk$community)))

write_golden(out, "icc_multilevel.json")
