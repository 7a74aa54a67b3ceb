# ROC curves, DeLong confidence intervals and DeLong's paired test.

# Direction codes of calci_direction and their pROC spelling.
direction_codes <- c(auto = 0L, "<" = 1L, ">" = 2L)

direction_code <- function(direction) {
  aliases <- c(auto = "auto", "<" = "<", ">" = ">", higher = "<", lower = ">")
  if (!is.character(direction) || length(direction) != 1L ||
      !(direction %in% names(aliases))) {
    stop("'direction' must be \"auto\", \"<\" (cases higher) or \">\" (cases lower), not ",
         deparse(direction), call. = FALSE)
  }
  direction_codes[[aliases[[direction]]]]
}

calci_roc <- function(response, predictor, levels, direction = "auto") {
  if (missing(levels)) {
    levels <- base::levels(as.factor(response))
    if (length(levels) != 2L) {
      stop("'response' has ", length(levels), " levels; pass levels = c(control, case)",
           call. = FALSE)
    }
  }
  if (length(levels) != 2L || anyNA(levels)) {
    stop("'levels' must be two values: c(control, case)", call. = FALSE)
  }
  if (length(response) != length(predictor)) {
    stop("'response' has ", length(response), " values but 'predictor' has ",
         length(predictor), call. = FALSE)
  }
  if (is.factor(predictor)) {
    if (!is.ordered(predictor)) {
      stop("'predictor' is an unordered factor; pass numbers or an ordered factor",
           call. = FALSE)
    }
    predictor <- as.integer(predictor)
  }
  if (!is.numeric(predictor)) {
    stop("'predictor' must be numeric", call. = FALSE)
  }

  response_text <- as.character(response)
  labels <- rep(-1L, length(response_text))
  labels[!is.na(response_text) & response_text == as.character(levels[[1L]])] <- 0L
  labels[!is.na(response_text) & response_text == as.character(levels[[2L]])] <- 1L
  scores <- as.double(predictor)

  ptr <- .Call(C_roc_create, scores, labels, direction_code(direction))
  summary <- .Call(C_roc_summary, ptr)
  structure(
    list(
      auc = summary$auc,
      variance = summary$variance,
      direction = names(direction_codes)[match(summary$direction, direction_codes)],
      levels = levels,
      cases = summary$cases,
      controls = summary$controls,
      thresholds = summary$thresholds,
      sensitivities = summary$sensitivities,
      specificities = summary$specificities,
      scores = scores,
      labels = labels,
      call = match.call(),
      ptr = ptr
    ),
    class = "calci_roc"
  )
}

# Returns the library handle of a calci_roc, rebuilt from the stored scores
# and labels when the object was restored by readRDS and lost its pointer.
roc_handle <- function(roc) {
  if (!inherits(roc, "calci_roc")) {
    stop("expected a calci_roc object, not ", class(roc)[1L], call. = FALSE)
  }
  if (pointer_valid(roc$ptr)) {
    return(roc$ptr)
  }
  .Call(C_roc_create, roc$scores, roc$labels, direction_codes[[roc$direction]])
}

# TRUE when ptr is an external pointer that still holds a library handle.
pointer_valid <- function(ptr) {
  .Call(C_pointer_valid, ptr)
}

print.calci_roc <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("\nCall:\n", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  cat("Data: ", x$controls, " controls (response ", format(x$levels[[1L]]), ") ",
      x$direction, " ", x$cases, " cases (response ", format(x$levels[[2L]]), ")\n",
      sep = "")
  cat("Area under the curve: ", format(x$auc, digits = digits), "\n", sep = "")
  invisible(x)
}

plot.calci_roc <- function(x, add = FALSE, print.auc = TRUE, col = "black",
                           xlab = "1 - specificity", ylab = "Sensitivity", ...) {
  fpr <- 1 - x$specificities
  if (add) {
    lines(fpr, x$sensitivities, col = col, ...)
  } else {
    plot(fpr, x$sensitivities, type = "l", xlim = c(0, 1), ylim = c(0, 1), col = col,
         xlab = xlab, ylab = ylab, asp = 1, ...)
    abline(0, 1, lty = 2, col = "grey")
  }
  if (print.auc) {
    text(0.6, 0.2, sprintf("AUC %.3f", x$auc), col = col)
  }
  invisible(x)
}

ci <- function(x, ...) UseMethod("ci")

ci.calci_roc <- function(x, conf.level = 0.95, ...) {
  bounds <- .Call(C_roc_ci, roc_handle(x), as.double(conf.level))
  structure(c(lower = bounds[[1L]], auc = x$auc, upper = bounds[[2L]]),
            conf.level = conf.level, method = "DeLong")
}

calci_delong_test <- function(roc1, roc2, conf.level = 0.95) {
  data_name <- paste(deparse1(substitute(roc1)), "and", deparse1(substitute(roc2)))
  values <- .Call(C_roc_test, roc_handle(roc1), roc_handle(roc2), as.double(conf.level))
  conf_int <- values[3:4]
  attr(conf_int, "conf.level") <- conf.level
  structure(
    list(
      statistic = c(Z = values[[1L]]),
      p.value = values[[2L]],
      conf.int = conf_int,
      estimate = c("AUC of roc1" = roc1$auc, "AUC of roc2" = roc2$auc),
      null.value = c("difference in AUC" = 0),
      alternative = "two.sided",
      method = "DeLong's test for two correlated ROC curves",
      data.name = data_name
    ),
    class = "htest"
  )
}
