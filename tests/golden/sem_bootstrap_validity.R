# Golden values for resilience_stats.sem.validity: semTools 0.5-6 compRelSEM / AVE / htmt and the standardized
# composite reliability / AVE (Fornell & Larcker) computed from the lavaan 0.6-14 solution.
# Run:  cd tests/golden && Rscript sem_bootstrap_validity.R   -> writes sem_bootstrap_validity.json
# Reads ../data/holzinger_swineford.csv and ../data/example_survey_pbsc.csv (exported from
# rs.read_survey(rs.example_survey("party_building_social_capital", n=600, seed=11, missing_rate=0)), items only).
# (The bootstrap golden values live in sem_lavaan.json, case mediation_bootstrap.)
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

hs <- read.csv(file.path("..", "data", "holzinger_swineford.csv"), stringsAsFactors = FALSE)
ex <- read.csv(file.path("..", "data", "example_survey_pbsc.csv"))

hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"
ex_first <- paste0("PBL =~ pbl1 + pbl2 + pbl3 + pbl4 + pbl5\nNET =~ net1 + net2 + net3 + net4\n",
                   "NORM =~ norm1 + norm2 + norm3 + norm4\nTRUST =~ trust1 + trust2 + trust3 + trust4\n",
                   "STAB =~ stab1 + stab2 + stab3 + stab4\nREC =~ rec1 + rec2 + rec3 + rec4\n",
                   "ADP =~ adp1 + adp2 + adp3 + adp4\n")
cases <- list(
  hs_cfa = list(data = "holzinger_swineford.csv", model = hs_model, htmt_model = hs_model, higher = character(0)),
  hs_corr_resid = list(data = "holzinger_swineford.csv", model = paste0(hs_model, "x7 ~~ x8\nx2 ~~ x3\n"),
                       htmt_model = hs_model, higher = character(0)),
  hs_crossload = list(data = "holzinger_swineford.csv",
                      model = "visual =~ x1 + x2 + x3 + x9\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
                      htmt_model = hs_model, higher = character(0)),
  example_survey_second_order = list(data = "example_survey_pbsc.csv",
                                     model = paste0(ex_first, "RES =~ STAB + REC + ADP\n"),
                                     htmt_model = ex_first, higher = "RES")
)

std_cr_ave <- function(fit) {
  est <- lavInspect(fit, "est")
  L <- est$lambda; Th <- est$theta
  sdv <- sqrt(diag(lavInspect(fit, "cov.ov")))
  psi <- diag(lavInspect(fit, "cov.lv"))
  out <- list()
  for (f in colnames(L)) {
    idx <- which(L[, f] != 0)
    if (length(idx) < 2) next
    ls <- L[idx, f] * sqrt(psi[f]) / sdv[idx]
    ths <- Th[idx, idx, drop = FALSE] / outer(sdv[idx], sdv[idx])
    out[[f]] <- list(cr = sum(ls)^2 / (sum(ls)^2 + sum(ths)), ave = mean(ls^2))
  }
  out
}

out <- list(r_version = R.version.string, lavaan_version = as.character(packageVersion("lavaan")),
            semtools_version = as.character(packageVersion("semTools")),
            calls = c("cfa(model, data)", "compRelSEM(fit)", "compRelSEM(fit, obs.var = FALSE)",
                      "compRelSEM(fit, higher = higher)", "AVE(fit)", "htmt(htmt_model, data)",
                      "htmt(htmt_model, data, htmt2 = FALSE)"),
            cases = list())
for (nm in names(cases)) {
  cs <- cases[[nm]]
  d <- if (cs$data == "holzinger_swineford.csv") hs else ex
  fit <- cfa(cs$model, data = d)
  rel <- if (length(cs$higher)) compRelSEM(fit, higher = cs$higher) else compRelSEM(fit)
  H <- htmt(cs$htmt_model, d)
  H1 <- htmt(cs$htmt_model, d, htmt2 = FALSE)
  out$cases[[nm]] <- list(
    data = cs$data, model = cs$model, htmt_model = cs$htmt_model, higher = cs$higher,
    comp_rel_sem = as.list(unclass(rel)),
    comp_rel_sem_implied = as.list(unclass(compRelSEM(fit, obs.var = FALSE))),
    ave = as.list(unclass(AVE(fit))),
    std = std_cr_ave(fit),
    htmt = list(names = rownames(H), data = unname(unclass(H))),
    htmt_arithmetic = list(names = rownames(H1), data = unname(unclass(H1))),
    factor_cor = list(names = colnames(lavInspect(fit, "cor.lv")), data = unname(unclass(lavInspect(fit, "cor.lv"))))
  )
}
# Bootstrap replicates on fixed resamples: ../data/mediation_boot_indices.csv holds the (1-based) row indices of
# the first 20 replicates of fit.bootstrap(seed = 9) (numpy draws: SeedSequence(9).spawn(...)[0]); lavaan refits
# the mediation model (sem_lavaan.json) on each resample; ours must give the same estimates.
med <- read.csv(file.path("..", "data", "mediation.csv"))
med_model <- paste0("PB  =~ pb1 + pb2 + pb3\nM1  =~ m1a + m1b + m1c\nM2  =~ m2a + m2b + m2c\nRES =~ r1 + r2 + r3\n",
                    "M1  ~ a1*PB\nM2  ~ a2*PB\nRES ~ c*PB + b1*M1 + b2*M2\nind1 := a1*b1\nind2 := a2*b2\n",
                    "total_ind := ind1 + ind2\ntotal := c + ind1 + ind2\n")
idx <- read.csv(file.path("..", "data", "mediation_boot_indices.csv"))
reps <- lapply(seq_len(ncol(idx)), function(r) {
  f <- sem(med_model, data = med[idx[[r]], ])
  pe <- parameterEstimates(f, standardized = TRUE)
  list(est = pe$est, std_all = pe$std.all, converged = lavInspect(f, "converged"))
})
pe0 <- parameterEstimates(sem(med_model, data = med))
out$mediation_replicates <- list(model = med_model, call = "sem(med_model, data = med[idx[[r]], ])",
                                 lhs = pe0$lhs, op = pe0$op, rhs = pe0$rhs,
                                 est = lapply(reps, `[[`, "est"), std_all = lapply(reps, `[[`, "std_all"),
                                 converged = sapply(reps, `[[`, "converged"))
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), na = "null", pretty = TRUE), "sem_bootstrap_validity.json")
message("written sem_bootstrap_validity.json")
