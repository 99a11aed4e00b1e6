# The geodesic / curvature / aggregate / cor.test part of the paper's reference R script
# (fMNIST_kNN_RCoef_eval.r), re-expressed with the same R and igraph calls, so that R itself - its IEEE
# arithmetic, sum(na.rm = TRUE), aggregate's na.omit, cor.test's complete cases - decides every edge case
# of the baptista-r rule (docs/method.md §3 "Connectivity under baptista-r"). Written for the tests in
# tests/oracle; see r_reference_emulation.py for the step-by-step correspondence.
#
# Usage: Rscript reference_pipeline.R DIR
#   DIR/ks.txt            one k per line
#   DIR/runs.txt          one run per line: a name, then the stacks it pools (the script's "models"),
#                         separated by spaces; a run of one stack gives that stack's own figures
#   DIR/<stack>/layer_00.csv, layer_01.csv, ...   the inputs (the script's x_test) and hidden layers,
#                         comma-separated, no header
# Prints one record per line (tab-separated) on stdout:
#   MEAN  run k stack transition mean      the per-(transition, model) mean over rows (NaN rows dropped)
#   EXCL  run k stack 0|1                  whether the model is removed (a mean of -Inf or Inf)
#   ETA   run k stack transition sum       the per-(transition, model) sum of the kept models
#   RIC   run k stack layer sum            the per-(layer, model) curvature total, all models
#   RHO   run k estimate|NA|ERROR message  the "layer skip" cor.test estimate over the kept models
# The transition column is the script's layer column: 1 = inputs -> hidden 1, t = hidden t-1 -> t.
# A group that aggregate drops (all rows NaN) has no MEAN/ETA record.

suppressPackageStartupMessages(library(igraph))

args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
ks <- as.integer(readLines(file.path(dir, "ks.txt")))
runs <- strsplit(readLines(file.path(dir, "runs.txt")), " ")

# cccd::nng(x, k = k) (its default method, no FNN): in row i, every point at a distance no larger than
# the (k+1)-th smallest entry of the row (the point itself, at 0, is the first) gets an arc from i; the
# diagonal is cleared; a directed igraph graph.
nng_mirror <- function(x, k) {
  dx <- as.matrix(dist(x))
  n <- nrow(dx)
  A <- matrix(0, nrow = n, ncol = n)
  for (i in 1:n) {
    sorted <- sort(dx[i, ])
    A[i, dx[i, ] <= sorted[k + 1]] <- 1
  }
  diag(A) <- 0
  graph_from_adjacency_matrix(A, mode = "directed")
}

read_layer <- function(stack, number) {
  as.matrix(read.csv(file.path(dir, stack, sprintf("layer_%02d.csv", number)), header = FALSE))
}

# One model at one k: the per-node curvature totals of every hidden layer and the row sums of every
# transition's distance difference.
model_tables <- function(stack, k) {
  count <- length(list.files(file.path(dir, stack), pattern = "^layer_[0-9]+\\.csv$")) - 1
  graphs <- lapply(1:count, function(l) nng_mirror(read_layer(stack, l), k))
  input_graph <- nng_mirror(read_layer(stack, 0), k)
  forman <- lapply(graphs, function(g) {
    D <- degree(g)
    F <- 4 - outer(D, D, FUN = "+")
    adjacency <- as_adjacency_matrix(g, sparse = FALSE, type = "both")
    F[which(adjacency == 0)] <- 0
    apply(F, 1, sum)
  })
  differences <- list(distances(graphs[[1]]) - distances(input_graph))
  for (l in 2:count) differences[[l]] <- distances(graphs[[l]]) - distances(graphs[[l - 1]])
  rows <- lapply(differences, function(C) apply(C, 1, function(x) sum(x, na.rm = TRUE)))
  list(rows = rows, forman = forman, count = count)
}

# The script's long data frame: one row per (point, layer, model).
long_frame <- function(per_model) {
  ssr <- c(); layer <- c(); mod <- c()
  for (j in seq_along(per_model)) {
    for (l in seq_along(per_model[[j]])) {
      values <- per_model[[j]][[l]]
      ssr <- c(ssr, values)
      layer <- c(layer, rep(l, length(values)))
      mod <- c(mod, rep(j, length(values)))
    }
  }
  data.frame(ssr = ssr, layer = layer, mod = mod)
}

# numbers with 17 significant digits (Inf, -Inf, NaN and NA spelled as R spells them)
emit <- function(...) {
  fields <- lapply(list(...), function(x) if (is.numeric(x)) sprintf("%.17g", x) else x)
  cat(paste(fields, collapse = "\t"), "\n", sep = "")
}

for (run in runs) {
  name <- run[1]
  stacks <- run[-1]
  for (k in ks) {
    tables <- lapply(stacks, model_tables, k = k)
    sc_data <- long_frame(lapply(tables, `[[`, "rows"))
    fr_data <- long_frame(lapply(tables, `[[`, "forman"))
    # removal of models with an infinite mean (the script's "rmod")
    d <- aggregate(ssr ~ layer + mod, sc_data, mean)
    rmod <- d$mod[c(which(d$ssr == -Inf), which(d$ssr == Inf))]
    for (r in seq_len(nrow(d))) emit("MEAN", name, k, stacks[d$mod[r]], d$layer[r], d$ssr[r])
    for (j in seq_along(stacks)) emit("EXCL", name, k, stacks[j], as.integer(j %in% rmod))
    sc_data2 <- if (length(rmod) > 0) sc_data[!(sc_data$mod %in% rmod), ] else sc_data
    fr_data2 <- if (length(rmod) > 0) fr_data[!(fr_data$mod %in% rmod), ] else fr_data
    all_fr <- aggregate(ssr ~ layer + mod, fr_data, sum)
    for (r in seq_len(nrow(all_fr))) emit("RIC", name, k, stacks[all_fr$mod[r]], all_fr$layer[r], all_fr$ssr[r])
    result <- tryCatch({
      msc <- aggregate(ssr ~ layer + mod, sc_data2, sum)
      mfr <- aggregate(ssr ~ layer + mod, fr_data2, sum)
      for (r in seq_len(nrow(msc))) emit("ETA", name, k, stacks[msc$mod[r]], msc$layer[r], msc$ssr[r])
      # the "layer skip" correlation: the change out of layer l against the curvature of layer l
      test <- cor.test(msc$ssr[-which(msc$layer == 1)], mfr$ssr[-which(mfr$layer == max(mfr$layer))])
      sprintf("%.17g", unname(test$estimate))
    }, error = function(e) paste("ERROR", conditionMessage(e)))
    emit("RHO", name, k, result)
  }
}
