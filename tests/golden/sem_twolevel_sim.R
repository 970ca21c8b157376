# Golden values for two-level SEM on data drawn by the package's own simulator (issue 14): 939 residents in 50
# communities of 8-30, from a two-level population (within: NETw -> RESw; between: pbl_c -> NETb -> RESb, with a
# community-level covariate pbl_c; ICC of every item 0.2). The data were written once from Python:
#   rs.simulate(POP, seed=2026, clusters={"k": 50, "size": (8, 30), "icc": 0.2, "name": "community"})
# with POP the population model in tests/test_sem_twolevel.py (SIM_POPULATION).
# Run:  cd tests/golden && Rscript sem_twolevel_sim.R   -> writes sem_twolevel_sim.json
# Reads ../data/twolevel_simulated.csv.

source("_golden_helpers.R")
suppressPackageStartupMessages(library(lavaan))

sim <- read.csv(file.path("..", "data", "twolevel_simulated.csv"))
model <- "
level: 1
  NETw =~ net1 + net2 + net3
  RESw =~ res1 + res2 + res3
  RESw ~ NETw
level: 2
  NETb =~ net1 + net2 + net3
  RESb =~ res1 + res2 + res3
  NETb ~ a*pbl_c
  RESb ~ b*NETb + c*pbl_c
  ind := a*b
"
out <- c(meta_info(), list(
  description = "lavaan 0.6-14 two-level fits (ML, MLR, FIML on a copy with 10% of the items missing) of data drawn by rs.simulate",
  model = model, cases = list()))
set.seed(2027)
simm <- sim
for (v in c("net1", "net2", "net3", "res1", "res2", "res3")) simm[[v]][runif(nrow(simm)) < 0.10] <- NA
write_once_csv(simm, "twolevel_simulated_missing.csv")
simm <- read.csv(file.path("..", "data", "twolevel_simulated_missing.csv"))
calls <- list(
  ml = 'sem(model, data = sim, cluster = "community")',
  mlr = 'sem(model, data = sim, cluster = "community", estimator = "MLR")',
  fiml_ml = 'sem(model, data = simm, cluster = "community", missing = "ml")'
)
for (name in names(calls)) {
  r <- run_w(calls[[name]])
  fit <- r$value
  out$cases[[name]] <- fit_summary(fit, calls[[name]], list(warnings = I(r$warnings), icc = lavInspect(fit, "icc"),
                                                          nclusters = lavInspect(fit, "nclusters")))
}
write_golden(out, "sem_twolevel_sim.json")
