# CT volumes, box masks and feature extraction (libradiomics).

new_volume <- function(ptr) {
  geometry <- .Call(C_volume_geometry, ptr)
  structure(c(geometry, list(ptr = ptr)), class = "calci_volume")
}

volume_handle <- function(volume, argument) {
  if (!inherits(volume, "calci_volume")) {
    stop("'", argument, "' must be a calci_volume, not ", class(volume)[1L], call. = FALSE)
  }
  volume$ptr
}

calci_read_volume <- function(path) {
  if (!is.character(path) || length(path) != 1L || is.na(path)) {
    stop("'path' must be a single file name", call. = FALSE)
  }
  new_volume(.Call(C_volume_read, path.expand(path)))
}

calci_volume <- function(data, spacing = c(1, 1, 1), origin = c(0, 0, 0),
                         direction = diag(3)) {
  if (!is.numeric(data) || length(dim(data)) != 3L) {
    stop("'data' must be a numeric 3-D array (x, y, z)", call. = FALSE)
  }
  if (!is.matrix(direction) || !all(dim(direction) == 3L)) {
    stop("'direction' must be a 3 x 3 matrix whose columns are the i, j and k axes",
         call. = FALSE)
  }
  values <- array(as.double(data), dim = dim(data))
  # The library takes the direction matrix row-major.
  ptr <- .Call(C_volume_create, values, as.double(spacing), as.double(origin),
               as.double(t(direction)))
  new_volume(ptr)
}

calci_write_volume <- function(volume, path) {
  .Call(C_volume_write, volume_handle(volume, "volume"), path.expand(path))
  invisible(path)
}

print.calci_volume <- function(x, ...) {
  cat("calci_volume ", paste(x$size, collapse = " x "), " voxels, spacing ",
      paste(format(x$spacing, digits = 4, trim = TRUE), collapse = " x "), " mm, origin (",
      paste(format(x$origin, digits = 6, trim = TRUE), collapse = ", "), ") mm\n", sep = "")
  invisible(x)
}

as.array.calci_volume <- function(x, ...) {
  .Call(C_volume_data, volume_handle(x, "x"))
}

# Text form of one setting value, as rad_params_set reads it.
setting_text <- function(key, value) {
  if (is.null(value) || (length(value) == 1L && is.na(value))) {
    return("none")
  }
  if (is.logical(value)) {
    return(paste(ifelse(value, "true", "false"), collapse = ","))
  }
  if (is.numeric(value)) {
    text <- as.character(value)
    exact <- !is.na(value) & as.numeric(text) == value
    text[!exact] <- sprintf("%.17g", value[!exact])
    return(paste(text, collapse = ","))
  }
  if (is.character(value)) {
    return(paste(value, collapse = ","))
  }
  stop("setting '", key, "' has a value of class ", class(value)[1L],
       "; use a number, string, logical or NULL", call. = FALSE)
}

calci_params <- function(preset = "pyradiomics", settings = list(), image_types = NULL,
                         features = NULL) {
  if (!is.null(preset) && (!is.character(preset) || length(preset) != 1L)) {
    stop("'preset' must be a single string such as \"pyradiomics\" or \"yu2021\"",
         call. = FALSE)
  }
  if (!is.list(settings) || (length(settings) > 0L && is.null(names(settings)))) {
    stop("'settings' must be a named list, e.g. list(binWidth = 25)", call. = FALSE)
  }
  keys <- names(settings)
  values <- vapply(seq_along(settings), function(i) setting_text(keys[[i]], settings[[i]]),
                   character(1))

  image_types <- if (is.null(image_types)) logical(0) else image_types
  if (!is.logical(image_types) || (length(image_types) > 0L && is.null(names(image_types)))) {
    stop("'image_types' must be a named logical vector, e.g. c(Original = TRUE)",
         call. = FALSE)
  }

  features <- if (is.null(features)) list() else features
  if (!is.list(features) || (length(features) > 0L && is.null(names(features)))) {
    stop("'features' must be a named list: class = TRUE, FALSE or feature names",
         call. = FALSE)
  }
  feature_names <- lapply(features, function(f) if (is.character(f)) f else NULL)
  feature_enabled <- vapply(features, function(f) !isFALSE(f), logical(1))

  structure(
    list(
      preset = preset,
      setting_keys = as.character(keys),
      setting_values = values,
      image_types = as.character(names(image_types)),
      image_enabled = unname(image_types),
      feature_classes = as.character(names(features)),
      feature_names = unname(feature_names),
      feature_enabled = unname(feature_enabled)
    ),
    class = "calci_params"
  )
}

# Accepts NULL, a preset name, a calci_params object or
# list(preset = , settings = , image_types = , features = ).
as_params <- function(params) {
  if (inherits(params, "calci_params")) {
    return(params)
  }
  if (is.null(params) || is.character(params)) {
    return(calci_params(params))
  }
  if (is.list(params)) {
    unknown <- setdiff(names(params), c("preset", "settings", "image_types", "features"))
    if (length(unknown) > 0L) {
      stop("unknown element '", unknown[[1L]], "' in 'params'; expected preset, settings, ",
           "image_types or features", call. = FALSE)
    }
    preset <- if ("preset" %in% names(params)) params$preset else "pyradiomics"
    settings <- if (is.null(params$settings)) list() else params$settings
    return(calci_params(preset, settings, params$image_types, params$features))
  }
  stop("'params' must be a preset name, a list or a calci_params object", call. = FALSE)
}

calci_box_mask <- function(image, center, size_mm = 50, params = NULL) {
  if (!is.numeric(center) || length(center) != 3L) {
    stop("'center' must be 3 numbers (RAS mm)", call. = FALSE)
  }
  ptr <- .Call(C_box_mask, as_params(params), volume_handle(image, "image"),
               as.double(center), as.double(size_mm))
  new_volume(ptr)
}

calci_extract <- function(image, mask, params = "pyradiomics") {
  .Call(C_extract, as_params(params), volume_handle(image, "image"),
        volume_handle(mask, "mask"))
}

calci_version <- function() {
  .Call(C_versions)
}
