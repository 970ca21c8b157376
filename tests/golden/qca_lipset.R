# Golden reference values for resilience_stats.qca (calibration, necessity, truth tables, minimization).
# Run:    cd tests/golden && Rscript qca_lipset.R
# Writes: tests/golden/qca_lipset.json, tests/data/lipset_{LR,LC,LF}.csv, tests/data/qca_random.csv
#
# R package QCA 3.21 (Dusa; with admisc 0.40 and venn 1.13). QCA is not a Debian package: it was
# installed from its CRAN source into a private library outside this repository, only to run this script.
# The Lipset data (LR raw, LC crisp, LF fuzzy; Lipset 1959 as used by Rihoux & De Meur 2009 and Ragin 2009)
# are the QCA package's data sets `LR`, `LC`, `LF`, written here to CSV with the country codes as `case`.
#
# What is stored, per case:
#   calibrate(x, type = "fuzzy", thresholds = "e=..., c=..., i=...")  (logistic direct method, idm = 0.95
#     unless stated) and type = "crisp" (findInterval) on LR;
#   pof(<condition or ~condition>, outcome, data, relation = "necessity"): inclN, RoN, covN;
#   truthTable(data, outcome, conditions, incl.cut, n.cut, pri.cut): the observed rows (row number in R's
#     order, condition values, OUT, n, incl, PRI, cases);
#   minimize(tt) (complex / conservative), minimize(tt, include = "?") (parsimonious) and
#     minimize(tt, include = "?", dir.exp = ...) (intermediate, every C#P# pair): the models (terms as R
#     writes them, in R's order), the terms' inclS, PRI, covS, covU within each model and the model's
#     inclS, PRI, covS; for the intermediate solutions also the easy counterfactuals (EC row numbers).
#   An R error is stored as {"error": message} (Python must refuse the same case).
# The random data sets (seed 20240516) are fuzzy (two decimals, no 0.5) or crisp, 3-6 conditions, 8-40 cases.

source("_golden_helpers.R")
suppressPackageStartupMessages(library(QCA))
data_dir <- file.path("..", "data")

with_case <- function(df) cbind(case = rownames(df), df, stringsAsFactors = FALSE)

data(LR); data(LC); data(LF)
write_csv_exact(with_case(LR), file.path(data_dir, "lipset_LR.csv"))
write_csv_exact(with_case(LC), file.path(data_dir, "lipset_LC.csv"))
write_csv_exact(with_case(LF), file.path(data_dir, "lipset_LF.csv"))

# ---------------------------------------------------------------------------------------------- calibration
cal_specs <- list(
  list(var = "DEV", thresholds = "e=350, c=550, i=850", idm = 0.95),
  list(var = "URB", thresholds = "e=10, c=25, i=65", idm = 0.95),
  list(var = "LIT", thresholds = "e=50, c=75, i=90", idm = 0.953),
  list(var = "IND", thresholds = "e=10, c=20, i=40", idm = 0.95),
  list(var = "STB", thresholds = "e=14, c=10, i=5", idm = 0.95)      # decreasing: fewer cabinets = stable
)
calibration <- lapply(cal_specs, function(s) {
  call <- sprintf('calibrate(LR$%s, type = "fuzzy", thresholds = "%s", idm = %s)', s$var, s$thresholds, s$idm)
  list(var = s$var, thresholds = s$thresholds, idm = s$idm, call = call, values = I(run(call)))
})
crisp <- list(
  list(var = "DEV", thresholds = I(c(550)), call = 'calibrate(LR$DEV, type = "crisp", thresholds = 550)'),
  list(var = "DEV", thresholds = I(c(550, 850)), call = 'calibrate(LR$DEV, type = "crisp", thresholds = c(550, 850))')
)
for (i in seq_along(crisp)) crisp[[i]]$values <- I(as.double(run(crisp[[i]]$call)))

# ---------------------------------------------------------------------------------------------- necessity
necessity_case <- function(data_name, outcome, conditions) {
  rows <- list()
  for (cnd in conditions) for (expr in c(cnd, paste0("~", cnd))) {
    # the call is built as text: pof() reads its outcome argument unevaluated
    p <- run(sprintf('pof("%s", "%s", data = %s, relation = "necessity")', expr, outcome, data_name))
    ic <- p$incl.cov
    rows[[length(rows) + 1]] <- list(condition = expr, inclN = ic[1, "inclN"], RoN = ic[1, "RoN"],
                                     covN = ic[1, "covN"])
  }
  rows
}

# ---------------------------------------------------------------------------------------------- minimization
tt_records <- function(tt) {
  t <- tt$tt
  conds <- names(tt$noflevels)
  if (is.null(conds)) conds <- colnames(tt$recoded.data)[seq_along(tt$noflevels)]
  observed <- which(t$n > 0)
  lapply(observed, function(i) {
    list(row = as.integer(rownames(t)[i]), values = I(as.integer(unlist(t[i, conds]))), OUT = as.character(t$OUT[i]),
         n = as.integer(t$n[i]), incl = as.double(t$incl[i]), PRI = as.double(t$PRI[i]),
         cases = if (is.null(t$cases)) "" else as.character(t$cases[i]))
  })
}

ic_model <- function(ic) {
  terms <- rownames(ic$incl.cov)
  list(terms = lapply(seq_along(terms), function(j) list(
         term = terms[j], inclS = ic$incl.cov[j, "inclS"], PRI = ic$incl.cov[j, "PRI"],
         covS = ic$incl.cov[j, "covS"], covU = ic$incl.cov[j, "covU"])),
       inclS = ic$sol.incl.cov[1, "inclS"], PRI = ic$sol.incl.cov[1, "PRI"], covS = ic$sol.incl.cov[1, "covS"])
}

models_of <- function(solution, IC) {
  out <- list()
  for (m in seq_along(solution)) {
    ic <- if (length(solution) > 1) IC$individual[[m]] else IC
    rec <- ic_model(ic)
    rec$model <- I(solution[[m]])
    out[[m]] <- rec
  }
  out
}

safe <- function(expr) tryCatch(expr, error = function(e) list(error = conditionMessage(e)))

min_case <- function(name, data, outcome, conditions, incl.cut, n.cut = 1, pri.cut = 0, dir.exp = NULL) {
  tt_call <- sprintf('truthTable(data, outcome = "%s", conditions = "%s", incl.cut = %s, n.cut = %s, pri.cut = %s)',
                     outcome, paste(conditions, collapse = ","), incl.cut, n.cut, pri.cut)
  res <- list(name = name, outcome = outcome, conditions = I(conditions), incl_cut = incl.cut, n_cut = n.cut,
              pri_cut = pri.cut, dir_exp = if (is.null(dir.exp)) NULL else I(dir.exp), call = tt_call)
  tt <- tryCatch(suppressWarnings(run(tt_call, environment())), error = function(e) e)
  if (inherits(tt, "error")) {
    res$truth_table <- list(error = conditionMessage(tt))
    return(res)
  }
  res$truth_table <- tt_records(tt)
  res$complex <- safe({
    s <- minimize(tt)
    models_of(s$solution, s$IC)
  })
  res$parsimonious <- safe({
    s <- minimize(tt, include = "?")
    models_of(s$solution, s$IC)
  })
  if (!is.null(dir.exp)) {
    res$intermediate <- safe({
      s <- minimize(tt, include = "?", dir.exp = dir.exp)
      lapply(names(s$i.sol), function(nm) {
        is <- s$i.sol[[nm]]
        ec <- is$EC
        list(pair = nm, c_sol = I(is$c.sol), p_sol = I(is$p.sol),
             EC = I(if (nrow(ec) > 0) as.integer(rownames(ec)) else integer(0)),
             models = models_of(is$solution, is$IC))
      })
    })
  }
  res
}

lipset_conds <- c("DEV", "URB", "LIT", "IND", "STB")
cases <- list(
  min_case("LC", LC, "SURV", lipset_conds, 1, dir.exp = lipset_conds),
  min_case("LF", LF, "SURV", lipset_conds, 0.8, dir.exp = lipset_conds),
  min_case("LF_neg", LF, "~SURV", lipset_conds, 0.8, dir.exp = paste0("~", lipset_conds)),
  min_case("LF_n2", LF, "SURV", lipset_conds, 0.75, n.cut = 2, dir.exp = c("DEV", "LIT", "~IND", "STB")),
  min_case("LF_pri", LF, "SURV", lipset_conds, 0.7, pri.cut = 0.7, dir.exp = lipset_conds)
)

# ---------------------------------------------------------------------------------------------- random data
set.seed(20240516)
random_rows <- list()
for (d in seq_len(40)) {
  k <- sample(3:6, 1)
  n <- sample(8:40, 1)
  fuzzy <- d %% 5 != 0
  conds <- paste0("C", seq_len(k))
  X <- matrix(runif(n * k), n, k)
  if (fuzzy) {
    X <- round(X, 2)
    X[X == 0.5] <- 0.51
  } else {
    X <- 1 * (X > 0.5)
  }
  colnames(X) <- conds
  Z <- pmax(pmin(X[, 1], 1 - X[, 2]), pmin(X[, k - 1], X[, k]))   # a true configuration, then noise
  Y <- if (fuzzy) round(pmin(pmax(Z + rnorm(n, 0, 0.18), 0), 1), 2) else 1 * ((Z + rnorm(n, 0, 0.3)) > 0.5)
  df <- data.frame(X, Y = Y)
  rownames(df) <- paste0("c", seq_len(n))
  incl <- if (fuzzy) sample(c(0.75, 0.8, 0.85), 1) else sample(c(0.75, 1), 1)
  ncut <- sample(c(1, 1, 2), 1)
  pri <- if (fuzzy) sample(c(0, 0, 0.5), 1) else 0
  dir <- sample(c("C%d", "~C%d", "-"), k, replace = TRUE, prob = c(0.5, 0.25, 0.25))
  dir[1] <- "C%d"                                           # at least one expectation; "-" ones are left out
  dir <- vapply(seq_len(k), function(j) if (dir[j] == "-") "-" else sprintf(dir[j], j), "")
  dir <- dir[dir != "-"]
  name <- sprintf("R%02d", d)
  cases[[length(cases) + 1]] <- min_case(name, df, "Y", conds, incl, n.cut = ncut, pri.cut = pri, dir.exp = dir)
  long <- data.frame(dataset = name, case = rownames(df), stringsAsFactors = FALSE)
  for (j in 1:6) long[[paste0("C", j)]] <- if (j <= k) X[, j] else NA_real_
  long$Y <- Y
  random_rows[[d]] <- long
}
write_csv_exact(do.call(rbind, random_rows), file.path(data_dir, "qca_random.csv"))

out <- list(
  meta = c(meta_info(), qca_version = pkg_version("QCA"), admisc_version = pkg_version("admisc")),
  calibration = calibration,
  crisp_calibration = crisp,
  necessity_LF = necessity_case("LF", "SURV", lipset_conds),
  necessity_LF_neg = necessity_case("LF", "~SURV", lipset_conds),
  cases = cases
)
write_golden(out, "qca_lipset.json")
