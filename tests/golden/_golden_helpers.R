# Shared helpers for the R golden-reference scripts in tests/golden/.
# Sourced by each <topic>.R script (run as: cd tests/golden && Rscript <topic>.R).
#
# JSON conventions
#   * Doubles are written with the SHORTEST decimal representation that
#     round-trips exactly (tries %.15g, %.16g, %.17g).  jsonlite 1.8.4 caps
#     `digits` at 15 significant digits even with digits = NA (e.g. 0.1 + 0.2
#     is written as 0.3), so numbers are pre-formatted here and inserted with
#     json_verbatim = TRUE.  NA / NaN / +-Inf are written as null.
#   * data.frame  -> list of records (one JSON object per row)
#   * matrix      -> {"rownames": [...], "colnames": [...], "data": [[row 1], [row 2], ...]}
#   * named numeric vector -> JSON object {name: value}
#   * unnamed numeric vector -> JSON array (a scalar if length 1, unless wrapped in I())
# CSV conventions (write_csv_exact): numbers in shortest round-trip form, NA as
# empty field, header row, no row names; the file is read back and checked to
# reproduce the data exactly.

suppressPackageStartupMessages({
  library(jsonlite)
})

fmt_num <- function(x) {
  x <- as.double(x)
  out <- rep("null", length(x))
  ok <- is.finite(x)
  if (any(ok)) {
    v <- x[ok]
    s <- sprintf("%.15g", v)
    bad <- as.double(s) != v
    if (any(bad)) s[bad] <- sprintf("%.16g", v[bad])
    bad <- as.double(s) != v
    if (any(bad)) s[bad] <- sprintf("%.17g", v[bad])
    out[ok] <- s
  }
  out
}

verb <- function(s) structure(s, class = "json")

num_json <- function(x, force_array = FALSE) {
  s <- fmt_num(x)
  if (length(s) == 1 && !force_array) verb(s) else verb(paste0("[", paste(s, collapse = ","), "]"))
}

prep <- function(x) {
  if (is.null(x)) return(NULL)
  if (is.data.frame(x)) {
    x <- as.data.frame(x, stringsAsFactors = FALSE)
    for (j in seq_along(x)) if (is.factor(x[[j]])) x[[j]] <- as.character(x[[j]])
    rows <- vector("list", nrow(x))
    for (i in seq_len(nrow(x))) {
      rec <- lapply(x, function(col) {
        v <- col[[i]]
        if (is.numeric(v)) num_json(v) else v
      })
      rows[[i]] <- rec
    }
    return(rows)
  }
  if (is.matrix(x) && is.numeric(x)) {
    rn <- rownames(x); cn <- colnames(x)
    data <- lapply(seq_len(nrow(x)), function(i) num_json(x[i, ], force_array = TRUE))
    return(list(rownames = if (is.null(rn)) NULL else I(rn),
                colnames = if (is.null(cn)) NULL else I(cn),
                data = data))
  }
  if (is.numeric(x)) {
    asis <- inherits(x, "AsIs")
    nm <- names(x)
    x <- as.double(unclass(x))
    if (!is.null(nm) && !asis) {
      out <- lapply(seq_along(x), function(i) num_json(x[i]))
      names(out) <- nm
      return(out)
    }
    return(num_json(x, force_array = asis))
  }
  if (is.list(x)) {
    nm <- names(x)
    out <- lapply(x, prep)
    names(out) <- nm
    return(out)
  }
  if (is.factor(x)) return(as.character(x))
  x
}

write_golden <- function(obj, path) {
  jsonlite::write_json(prep(obj), path, auto_unbox = TRUE, digits = NA, na = "null",
                       null = "null", json_verbatim = TRUE, pretty = TRUE)
  # validate: must parse
  invisible(jsonlite::fromJSON(path, simplifyVector = FALSE))
  message("wrote ", path, " (", file.size(path), " bytes)")
}

write_csv_exact <- function(df, path) {
  out <- df
  for (j in seq_along(out)) {
    col <- out[[j]]
    if (is.factor(col)) col <- as.character(col)
    if (is.numeric(col)) {
      s <- fmt_num(col); s[s == "null"] <- ""
      col <- s
    } else {
      col <- as.character(col)
      if (any(grepl("[,\"\n]", col[!is.na(col)]))) stop("column ", names(out)[j], " needs quoting")
      col[is.na(col)] <- ""
    }
    out[[j]] <- col
  }
  write.csv(out, path, row.names = FALSE, quote = FALSE, na = "")
  back <- read.csv(path, stringsAsFactors = FALSE, na.strings = "")
  stopifnot(identical(dim(back), dim(df)), identical(names(back), names(df)))
  for (j in seq_along(df)) {
    a <- df[[j]]; b <- back[[j]]
    if (is.factor(a)) a <- as.character(a)
    if (is.numeric(a)) {
      stopifnot(identical(is.na(a), is.na(b)), all(as.double(a)[!is.na(a)] == b[!is.na(b)]))
    } else stopifnot(identical(as.character(a), as.character(b)))
  }
  message("wrote ", path, " (", file.size(path), " bytes), round-trip verified")
  invisible(back)
}

pkg_version <- function(p) {
  v <- tryCatch(utils::packageDescription(p)$Version, error = function(e) NA_character_)
  if (is.null(v)) NA_character_ else v
}

meta_info <- function() {
  list(
    r_version = paste(R.version$major, R.version$minor, sep = "."),
    r_version_string = R.version.string,
    lavaan_version = pkg_version("lavaan"),
    psych_version = pkg_version("psych"),
    semtools_version = pkg_version("semTools"),
    gparotation_version = pkg_version("GPArotation"),
    jsonlite_version = pkg_version("jsonlite"),
    platform = R.version$platform,
    blas = tryCatch(extSoftVersion()[["BLAS"]], error = function(e) NA_character_),
    la_library = tryCatch(La_library(), error = function(e) NA_character_),
    generated_utc = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")
  )
}

# ---------------------------------------------------------------- lavaan ----
PE_COLS <- c("lhs", "op", "rhs", "block", "group", "level", "label", "est", "se", "z",
             "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all", "std.nox")

pe_records <- function(fit, ...) {
  pe <- lavaan::parameterEstimates(fit, standardized = TRUE, ...)
  pe <- as.data.frame(pe)
  if (!"label" %in% names(pe)) pe$label <- ""   # lavaan omits the column when no labels exist
  pe[, intersect(PE_COLS, names(pe)), drop = FALSE]
}

fm_list <- function(fit) {
  fm <- lavaan::fitMeasures(fit)
  as.list(stats::setNames(as.double(unclass(fm)), names(fm)))
}

# Evaluate a call given as a string (so that the stored call is exactly what ran).
run <- function(call_str, env = globalenv()) eval(parse(text = call_str), envir = env)

fit_summary <- function(fit, call_str, extra = list()) {
  opt <- lavaan::lavInspect(fit, "options")
  out <- list(
    call = call_str,
    converged = lavaan::lavInspect(fit, "converged"),
    iterations = lavaan::lavInspect(fit, "iterations"),
    nobs = I(as.integer(lavaan::lavInspect(fit, "nobs"))),
    ntotal = lavaan::lavInspect(fit, "ntotal"),
    npar = lavaan::lavInspect(fit, "npar"),
    ngroups = lavaan::lavInspect(fit, "ngroups"),
    group_labels = if (lavaan::lavInspect(fit, "ngroups") > 1) I(lavaan::lavInspect(fit, "group.label")) else NULL,
    options = list(estimator = opt$estimator, se = opt$se, test = I(opt$test),
                   missing = opt$missing, likelihood = opt$likelihood,
                   information = I(opt$information), fixed.x = opt$fixed.x,
                   std.lv = opt$std.lv, meanstructure = opt$meanstructure,
                   mimic = opt$mimic),
    fmin = lavaan::fitMeasures(fit, "fmin")[[1]],
    parameter_estimates = pe_records(fit),
    fit_measures = fm_list(fit)
  )
  c(out, extra)
}

# ------------------------------------------------- lavaan run/record tools ----
# Shared by sem_spine.R and sem_twolevel.R.

# Run a call string, collecting lavaan's warnings; errors are returned (not thrown).
run_w <- function(call_str) {
  ws <- character(0)
  res <- tryCatch(
    withCallingHandlers(run(call_str),
                        warning = function(w) {
                          ws <<- c(ws, conditionMessage(w))
                          invokeRestart("muffleWarning")
                        }),
    error = function(e) e)
  list(value = res, warnings = ws)
}

# strip lavaan classes recursively (keeps names / dimnames)
uc <- function(x) {
  if (is.data.frame(x)) return(as.data.frame(x))
  if (is.list(x)) return(lapply(x, uc))
  if (is.numeric(x) || is.logical(x)) {
    a <- attributes(x)
    keep <- a[intersect(names(a), c("names", "dim", "dimnames"))]
    attributes(x) <- NULL
    attributes(x) <- keep
  }
  x
}

# lavInspect(fit, "test") (or "baseline.test") as plain lists; the per-group h1/h0 parts of MLR statistics are
# kept as extra keys
test_list <- function(fit, what = "test") {
  tl <- lavaan::lavInspect(fit, what)
  lapply(tl, function(tt) {
    o <- list()
    for (nm in names(tt)) {
      v <- tt[[nm]]
      for (a in c("h1", "h0", "h1.ndat")) {
        if (!is.null(attr(v, a)) && is.null(o[[paste0("stat_attr_", a)]]))
          o[[paste0("stat_attr_", a)]] <- I(as.numeric(attr(v, a)))
      }
      o[[nm]] <- if (is.numeric(v)) as.numeric(v) else v
    }
    o
  })
}

# Written-once CSV in data_dir: create it if missing; if present, the regenerated content must match byte for
# byte. Returns the data read back from the file, checked bit for bit against `df`.
write_once_csv <- function(df, file, data_dir = file.path("..", "data")) {
  path <- file.path(data_dir, file)
  if (!file.exists(path)) {
    write_csv_exact(df, path)
  } else {
    tmp <- tempfile(fileext = ".csv")
    write_csv_exact(df, tmp)
    if (!identical(unname(tools::md5sum(tmp)), unname(tools::md5sum(path))))
      stop(path, " exists and differs from the regenerated data; delete it to regenerate on purpose")
    unlink(tmp)
    message(path, " unchanged (regenerated content identical)")
  }
  back <- read.csv(path, stringsAsFactors = FALSE, na.strings = "")
  # bit-for-bit check of the read-back data against the generated data
  stopifnot(identical(names(back), names(df)), nrow(back) == nrow(df))
  for (j in seq_along(df)) {
    a <- df[[j]]; b <- back[[j]]
    if (is.numeric(a)) stopifnot(identical(is.na(a), is.na(b)), all(as.double(a)[!is.na(a)] == b[!is.na(b)]))
    else stopifnot(identical(as.character(a), as.character(b)))
  }
  back
}

# Median elapsed time of n sequential evaluations of a call string (after one warm-up evaluation).
time_median <- function(call_str, n) {
  expr <- parse(text = call_str)
  invisible(eval(expr, envir = globalenv()))  # warm-up
  tt <- vapply(seq_len(n), function(i) {
    t0 <- proc.time()[["elapsed"]]
    eval(expr, envir = globalenv())
    proc.time()[["elapsed"]] - t0
  }, numeric(1))
  tt <- round(tt, 3)  # proc.time() resolves milliseconds
  list(call = call_str, n_rep = n, median_seconds = stats::median(tt), min_seconds = min(tt), seconds = I(tt))
}

# Machine description stored beside timings.
machine_info <- function(load_before, note) {
  list(sysname = Sys.info()[["sysname"]], release = Sys.info()[["release"]], cores = parallel::detectCores(),
       cpu = tryCatch(sub(".*: ", "", grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)[1]),
                      error = function(e) NA_character_),
       loadavg_before = load_before, loadavg_after = readLines("/proc/loadavg"), note = note)
}
