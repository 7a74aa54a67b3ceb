#!/usr/bin/env Rscript
# Prints "name auc ci_low ci_high" (95 % DeLong interval) for the predictors
# s100b, wfns and ndka of pROC's aSAH table against outcome = "Poor".
# Usage: Rscript asah_roc.R aSAH.csv

library(calci)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1L) {
  stop("usage: Rscript asah_roc.R aSAH.csv", call. = FALSE)
}
asah <- utils::read.csv(args[[1L]])
for (name in c("s100b", "wfns", "ndka")) {
  if (!name %in% names(asah)) {
    stop("column '", name, "' not found in ", args[[1L]], call. = FALSE)
  }
  roc <- calci_roc(asah$outcome, asah[[name]], levels = c("Good", "Poor"))
  interval <- calci::ci(roc, conf.level = 0.95)
  cat(sprintf("%s %.6f %.6f %.6f\n", name, interval[["auc"]], interval[["lower"]],
              interval[["upper"]]))
}
