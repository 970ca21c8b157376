# Published PROCESS results (Hayes, 2018, Introduction to mediation, moderation, and conditional process
# analysis, 2nd ed.; the examples are unchanged in the 3rd ed., 2022) checked against lm() on the book's data,
# and lm() values of further PROCESS models (7, 8, 14, 58) on the same data. The data sets are not shipped with
# the package; pass the folder holding glbwarm.csv, estress.csv, disaster.csv and teams.csv (Hayes' files, e.g.
# the CC0 copies in github.com/ASKurz/recoding_Introduction_to_Mediation_Moderation_and_Conditional_Process_Analysis,
# folder data/<name>/<name>.csv):
#   cd tests/golden && Rscript regression_hayes.R /path/to/hayes     -> regression_hayes.json
# Each case stores the rs.process call, full-precision lm() values ("r", keys "coef|<equation>|<term>",
# "r2|<equation>", "jn|<i>", "slope|<i>", "indirect|<i>", "imm", "direct|<i>", "w|<i>"), the values printed in the
# book ("published", with the digits printed) and a fingerprint of the data (n, column means).
# Published values (Hayes 2018): glbwarm simple regression (section 2.2): b0 = 2.757, b1 = 0.514, R2 = .334;
# estress simple mediation (section 3.5): a = 0.173, b = 0.769, c' = -0.077, ab = 0.133, c = 0.056;
# disaster moderation (chapter 7): justify = 2.452 - 0.562 X + 0.105 W + 0.201 XW, R2 = .246, conditional effects
# -0.242, 0.001, 0.484 at W = 1.592, 2.800, 5.200, Johnson-Neyman boundaries W = 1.171 and 3.934; the probe values
# of the disaster models 7/8 (16th/50th/84th percentiles 1.592, 2.800, 5.200, Table 12.2) and the 16th percentile
# of negexp in the teams data (-0.531, Figure 11.4), which fix PROCESS's percentile definition (R's type 6).

source("_golden_helpers.R")
args <- commandArgs(trailingOnly = TRUE)
DIR <- if (length(args)) args[1] else Sys.getenv("RS_HAYES_DATA", "../../../shared/reference/hayes")
rd <- function(name) read.csv(file.path(DIR, paste0(name, ".csv")))
fingerprint <- function(d) list(n = nrow(d), means = as.list(colMeans(d)))
LEVEL <- 0.95
q6 <- function(v) unname(quantile(v, c(0.16, 0.5, 0.84), type = 6))
key <- function(...) paste(..., sep = "|")
coefs <- function(fit, eq) setNames(as.list(unname(coef(fit))), key("coef", eq, c("constant", names(coef(fit))[-1])))
jn <- function(fit, f, fw) {
  b <- coef(fit); V <- vcov(fit); tc2 <- qt(0.5 + LEVEL / 2, df.residual(fit))^2
  A <- b[fw]^2 - tc2 * V[fw, fw]; B <- 2 * (b[f] * b[fw] - tc2 * V[f, fw]); C <- b[f]^2 - tc2 * V[f, f]
  sort(unname((-B + c(-1, 1) * sqrt(B^2 - 4 * A * C)) / (2 * A)))
}
cases <- list()

# glbwarm: govact on negemot
glb <- rd("glbwarm")
f <- lm(govact ~ negemot, glb)
cases$glbwarm_simple <- list(data = "glbwarm", fingerprint = fingerprint(glb),
  call = list(`function` = "hierarchical_regression", y = "govact", blocks = list(I("negemot"))),
  r = c(coefs(f, "govact"), list(`r2|govact` = summary(f)$r.squared)),
  published = list(`coef|govact|constant` = 2.757, `coef|govact|negemot` = 0.514, `r2|govact` = 0.334),
  digits = list())
# glbwarm: model 1, negemot x age with covariates (R only)
f <- lm(govact ~ negemot + age + negemot:age + posemot + ideology + sex, glb)
W <- q6(glb$age)
sl <- coef(f)["negemot"] + coef(f)["negemot:age"] * W
cases$glbwarm_model1 <- list(data = "glbwarm", fingerprint = fingerprint(glb),
  call = list(model = 1, x = "negemot", y = "govact", w = "age", covariates = I(c("posemot", "ideology", "sex"))),
  r = c(coefs(f, "govact"),
        setNames(as.list(unname(sl)), key("slope", 0:2)), setNames(as.list(jn(f, "negemot", "negemot:age")), key("jn", 0:1))),
  published = list(), digits = list())

# estress: simple mediation (model 4)
es <- rd("estress")
fa <- lm(affect ~ estress, es); fb <- lm(withdraw ~ estress + affect, es); fc <- lm(withdraw ~ estress, es)
ab <- unname(coef(fa)[2] * coef(fb)[3])
cases$estress_model4 <- list(data = "estress", fingerprint = fingerprint(es),
  call = list(model = 4, x = "estress", y = "withdraw", m = I("affect")),
  r = c(coefs(fa, "affect"), coefs(fb, "withdraw"), list(`indirect|0` = ab, `direct|0` = unname(coef(fb)[2]),
        `total|0` = unname(coef(fc)[2]))),
  published = list(`coef|affect|estress` = 0.173, `coef|withdraw|affect` = 0.769, `coef|withdraw|estress` = -0.077,
                   `indirect|0` = 0.133, `total|0` = 0.056),
  digits = list())
# estress: model 58 (W = ese moderates a and b; covariates sex, tenure; R only)
fa <- lm(affect ~ estress + ese + estress:ese + sex + tenure, es)
fb <- lm(withdraw ~ estress + affect + ese + affect:ese + sex + tenure, es)
W <- q6(es$ese)
ind <- (coef(fa)["estress"] + coef(fa)["estress:ese"] * W) * (coef(fb)["affect"] + coef(fb)["affect:ese"] * W)
cases$estress_model58 <- list(data = "estress", fingerprint = fingerprint(es),
  call = list(model = 58, x = "estress", y = "withdraw", m = I("affect"), w = "ese", covariates = I(c("sex", "tenure"))),
  r = c(setNames(as.list(unname(ind)), key("indirect", 0:2)), setNames(as.list(W), key("w", 0:2))),
  published = list(), digits = list())

# disaster: moderation (model 1)
di <- rd("disaster")
f <- lm(justify ~ frame + skeptic + frame:skeptic, di)
W <- q6(di$skeptic)
sl <- coef(f)["frame"] + coef(f)["frame:skeptic"] * W
r1 <- c(coefs(f, "justify"), list(`r2|justify` = summary(f)$r.squared), setNames(as.list(unname(sl)), key("slope", 0:2)),
        setNames(as.list(jn(f, "frame", "frame:skeptic")), key("jn", 0:1)), setNames(as.list(W), key("w", 0:2)))
cases$disaster_model1 <- list(data = "disaster", fingerprint = fingerprint(di),
  call = list(model = 1, x = "frame", y = "justify", w = "skeptic"), r = r1,
  published = list(`coef|justify|constant` = 2.452, `coef|justify|frame` = -0.562, `coef|justify|skeptic` = 0.105,
                   `coef|justify|frame:skeptic` = 0.201, `r2|justify` = 0.246, `slope|0` = -0.242, `slope|1` = 0.001,
                   `slope|2` = 0.484, `jn|0` = 1.171, `jn|1` = 3.934, `w|0` = 1.592, `w|1` = 2.800, `w|2` = 5.200),
  digits = list())
# disaster: models 7 and 8 (R only, with the published probe values)
fb7 <- lm(donate ~ frame + justify, di)
fb8 <- lm(donate ~ frame + justify + skeptic + frame:skeptic, di)
a <- coef(f)["frame"] + coef(f)["frame:skeptic"] * W
for (m in c(7, 8)) {
  fb <- if (m == 7) fb7 else fb8
  r <- c(setNames(as.list(unname(a * coef(fb)["justify"])), key("indirect", 0:2)),
         list(imm = unname(coef(f)["frame:skeptic"] * coef(fb)["justify"])), setNames(as.list(W), key("w", 0:2)))
  if (m == 8) r <- c(r, setNames(as.list(unname(coef(fb)["frame"] + coef(fb)["frame:skeptic"] * W)), key("direct", 0:2)))
  cases[[paste0("disaster_model", m)]] <- list(data = "disaster", fingerprint = fingerprint(di),
    call = list(model = m, x = "frame", y = "donate", m = I("justify"), w = "skeptic"), r = r,
    published = list(`w|0` = 1.592, `w|1` = 2.800, `w|2` = 5.200), digits = list())
}

# teams: model 14 (R only, with the published 16th percentile of negexp)
te <- rd("teams")
fa <- lm(negtone ~ dysfunc, te); fb <- lm(perform ~ dysfunc + negtone + negexp + negtone:negexp, te)
W <- q6(te$negexp)
r <- c(coefs(fa, "negtone"), setNames(as.list(unname(coef(fa)[2] * (coef(fb)["negtone"] + coef(fb)["negtone:negexp"] * W))),
                                      key("indirect", 0:2)),
       list(imm = unname(coef(fa)[2] * coef(fb)["negtone:negexp"])), setNames(as.list(W), key("w", 0:2)))
cases$teams_model14 <- list(data = "teams", fingerprint = fingerprint(te),
  call = list(model = 14, x = "dysfunc", y = "perform", m = I("negtone"), w = "negexp"), r = r,
  published = list(`w|0` = -0.531), digits = list())

out <- list(meta = meta_info(), source = "Hayes (2018), 2nd ed.; data as distributed with the book", cases = cases)
write_golden(out, "regression_hayes.json")
