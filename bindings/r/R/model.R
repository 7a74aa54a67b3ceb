# Fitting, scoring, saving and loading calci models.

# Numeric matrix with feature names from a data frame or matrix.
feature_matrix <- function(x, argument) {
  if (is.data.frame(x)) {
    numeric_columns <- vapply(x, is.numeric, logical(1))
    if (!all(numeric_columns)) {
      stop("column '", names(x)[!numeric_columns][[1L]], "' of '", argument,
           "' is not numeric", call. = FALSE)
    }
    x <- as.matrix(x)
  }
  if (!is.matrix(x) || !is.numeric(x)) {
    stop("'", argument, "' must be a numeric matrix or data frame", call. = FALSE)
  }
  if (is.null(colnames(x)) || anyNA(colnames(x)) || any(colnames(x) == "")) {
    stop("every column of '", argument, "' needs a name", call. = FALSE)
  }
  storage.mode(x) <- "double"
  x
}

# Labels 1 (positive) / 0 (negative) from a logical, 0/1 numeric or two-level
# factor (second level positive, as in glm).
response_labels <- function(y) {
  if (anyNA(y)) {
    stop("'y' contains missing values", call. = FALSE)
  }
  if (is.factor(y)) {
    if (nlevels(y) != 2L) {
      stop("factor 'y' must have 2 levels, not ", nlevels(y), call. = FALSE)
    }
    return(list(labels = as.integer(y) - 1L, levels = levels(y)))
  }
  if (is.logical(y)) {
    return(list(labels = as.integer(y), levels = c("FALSE", "TRUE")))
  }
  if (is.numeric(y) && all(y %in% c(0, 1))) {
    return(list(labels = as.integer(y), levels = c("0", "1")))
  }
  stop("'y' must be logical, 0/1 or a two-level factor", call. = FALSE)
}

new_model <- function(ptr, levels = NULL) {
  summary <- .Call(C_model_summary, ptr)
  names(summary$coefficients) <- summary$features
  structure(c(summary, list(levels = levels, ptr = ptr)), class = "calci_model")
}

calci_fit <- function(x, y, groups = seq_len(NROW(x)), classifier = "lr", ...) {
  x <- feature_matrix(x, "x")
  response <- response_labels(y)
  if (length(response$labels) != nrow(x)) {
    stop("'y' has ", length(response$labels), " values but 'x' has ", nrow(x), " rows",
         call. = FALSE)
  }
  if (length(groups) != nrow(x) || anyNA(groups)) {
    stop("'groups' needs one non-missing patient id per row of 'x'", call. = FALSE)
  }

  options <- list(classifier = classifier, ...)
  if (length(options) > 1L && any(names(options)[-1L] == "")) {
    stop("options in '...' must be named, e.g. k = 5", call. = FALSE)
  }
  keys <- names(options)
  values <- vapply(seq_along(options), function(i) setting_text(keys[[i]], options[[i]]),
                   character(1))

  ptr <- .Call(C_model_fit, x, colnames(x), response$labels, as.character(groups),
               keys, values)
  new_model(ptr, response$levels)
}

print.calci_model <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("calci_model (", x$classifier, ") with ", length(x$features), " features\n", sep = "")
  cat("Cross-validated AUC: ", format(x$cv_auc, digits = digits), "\n", sep = "")
  cat("Intercept: ", format(x$intercept, digits = digits), "\n", sep = "")
  if (length(x$coefficients) > 0L) {
    cat("Coefficients (on z-scored features):\n")
    print(x$coefficients, digits = digits)
  }
  invisible(x)
}

predict.calci_model <- function(object, newdata, type = c("prob", "decision"), ...) {
  type <- match.arg(type)
  x <- feature_matrix(newdata, "newdata")
  scores <- .Call(C_model_predict, object$ptr, x, colnames(x))
  result <- scores[[type]]
  names(result) <- rownames(x)
  result
}

calci_save_model <- function(model, path) {
  if (!inherits(model, "calci_model")) {
    stop("'model' must be a calci_model", call. = FALSE)
  }
  .Call(C_model_save, model$ptr, path.expand(path))
  invisible(path)
}

calci_load_model <- function(path) {
  new_model(.Call(C_model_load, path.expand(path)))
}
