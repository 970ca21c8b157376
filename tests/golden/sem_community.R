# Golden values for rs.community_model (sem/community.py): the community-level models of the bundled
# questionnaire's framework (chen_zhang) on a 600-resident, 30-community example wave.
#   1. two-level path model of the construct scores (rs.twolevel_score_syntax of the chen_zhang model): lavaan
#      with fixed.x = FALSE (a covariate observed at both levels, PBL, has its within and between variances
#      estimated; lavaan's fixed.x = TRUE fixes its mean at the between part of the saturated mean only), ML and
#      MLR; the saturated (h1) model's log-likelihood and between covariance;
#   2. the fallback for fewer communities: the item-level chen_zhang model with cluster-robust standard errors
#      (cluster = "community", MLR, listwise deletion).
# Run:  cd tests/golden && Rscript sem_community.R   -> writes sem_community.json
# Reads ../data/community_scores.csv (construct scores from rs.read_survey("community_wave.csv",
# "party_building_social_capital").scores(), RES dropped, with the community column) and
# ../data/community_items.csv (the cleaned items of that wave with the community column), both written once
# from Python (see README.md).

source("_golden_helpers.R")
suppressPackageStartupMessages(library(lavaan))

scores <- read.csv(file.path("..", "data", "community_scores.csv"))
items <- read.csv(file.path("..", "data", "community_items.csv"))

model_twolevel <- "
level: 1
RES_w =~ STAB + REC + ADP
NET ~ PBL
NORM ~ PBL
TRUST ~ PBL
RES_w ~ PBL + NET + NORM + TRUST
NET ~~ NORM + TRUST
NORM ~~ TRUST
level: 2
RES_b =~ STAB + REC + ADP
NET ~ a1*PBL
NORM ~ a2*PBL
TRUST ~ a3*PBL
RES_b ~ c*PBL + b1*NET + b2*NORM + b3*TRUST
NET ~~ NORM + TRUST
NORM ~~ TRUST
ind_net := a1*b1
ind_norm := a2*b2
ind_trust := a3*b3
ind_total := ind_net + ind_norm + ind_trust
total := c + ind_total
"

model_items <- "
PBL =~ pbl1 + pbl2 + pbl3 + pbl4 + pbl5
NET =~ net1 + net2 + net3 + net4
NORM =~ norm1 + norm2 + norm3 + norm4
TRUST =~ trust1 + trust2 + trust3 + trust4
STAB =~ stab1 + stab2 + stab3 + stab4
REC =~ rec1 + rec2 + rec3 + rec4
ADP =~ adp1 + adp2 + adp3 + adp4
RES =~ STAB + REC + ADP
NET ~ a1*PBL
NORM ~ a2*PBL
TRUST ~ a3*PBL
RES ~ c*PBL + b1*NET + b2*NORM + b3*TRUST
NET ~~ NORM + TRUST
NORM ~~ TRUST
ind_net := a1*b1
ind_norm := a2*b2
ind_trust := a3*b3
ind_total := ind_net + ind_norm + ind_trust
total := c + ind_total
"

out <- c(meta_info(), list(
  description = paste(
    "lavaan golden values for rs.community_model: a two-level path model of construct scores (fixed.x = FALSE)",
    "and the cluster-robust item-level fallback. Each case: call, parameter_estimates, fit_measures, plus for the",
    "two-level cases h1_loglik (unrestricted.logl) and h1_between_cov (lavInspect 'h1', level 2)."),
  models = list(twolevel = model_twolevel, items = model_items),
  cases = list()))

calls <- list(
  twolevel_ml = 'sem(model_twolevel, data = scores, cluster = "community", fixed.x = FALSE)',
  twolevel_mlr = 'sem(model_twolevel, data = scores, cluster = "community", fixed.x = FALSE, estimator = "MLR")',
  items_cluster_mlr = 'sem(model_items, data = items, cluster = "community", estimator = "MLR")'
)
for (name in names(calls)) {
  r <- run_w(calls[[name]])
  fit <- r$value
  extra <- list(warnings = I(r$warnings))
  if (lavInspect(fit, "nlevels") > 1) {
    h1 <- lavInspect(fit, "h1")
    extra$h1_loglik <- fitMeasures(fit, "unrestricted.logl")[[1]]
    extra$h1_between_cov <- h1$community$cov
    extra$nclusters <- lavInspect(fit, "nclusters")
  }
  out$cases[[name]] <- fit_summary(fit, calls[[name]], extra)
}
write_golden(out, "sem_community.json")
