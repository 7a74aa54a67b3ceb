# Volumes, box masks and extraction. First-order features are checked
# against their pyradiomics definitions computed in R from the voxels of
# the mask (population variance; percentiles interpolated linearly as
# numpy.percentile does, R's quantile type 7; no voxelArrayShift in the
# "pyradiomics" preset).

first_order_reference <- function(values) {
  n <- length(values)
  c(
    original_firstorder_Mean = mean(values),
    original_firstorder_Minimum = min(values),
    original_firstorder_Maximum = max(values),
    original_firstorder_Range = max(values) - min(values),
    original_firstorder_Median = stats::median(values),
    original_firstorder_10Percentile = unname(stats::quantile(values, 0.1, type = 7)),
    original_firstorder_90Percentile = unname(stats::quantile(values, 0.9, type = 7)),
    original_firstorder_Variance = sum((values - mean(values))^2) / n,
    original_firstorder_Energy = sum(values^2),
    original_firstorder_RootMeanSquared = sqrt(mean(values^2))
  )
}

expect_first_order <- function(features, values) {
  reference <- first_order_reference(values)
  for (name in names(reference)) {
    # Relative tolerance 1e-9: sums of up to 1e5 terms in another order.
    expect_equal(unname(features[[name]]), unname(reference[[name]]), tolerance = 1e-9,
                 info = name)
  }
}

test_that("volume keeps voxels and geometry", {
  voxels <- array(as.double(seq_len(60)), dim = c(3, 4, 5))
  direction <- matrix(c(0, 1, 0, -1, 0, 0, 0, 0, 1), 3, 3)
  volume <- calci_volume(voxels, spacing = c(0.5, 0.75, 2), origin = c(-10, 5, 3),
                         direction = direction)
  expect_identical(volume$size, c(3, 4, 5))
  expect_identical(volume$spacing, c(0.5, 0.75, 2))
  expect_identical(volume$origin, c(-10, 5, 3))
  expect_identical(volume$direction, direction)
  expect_identical(as.array(volume), voxels)
})

test_that("written volume reads back", {
  # Integers up to 60 are exact in the float32 voxels of the written file.
  voxels <- array(as.double(seq_len(60)), dim = c(3, 4, 5))
  volume <- calci_volume(voxels, spacing = c(0.5, 0.75, 2), origin = c(-10, 5, 3))
  path <- tempfile(fileext = ".nii.gz")
  on.exit(unlink(path))
  calci_write_volume(volume, path)
  restored <- calci_read_volume(path)
  expect_identical(as.array(restored), voxels)
  expect_equal(restored$spacing, volume$spacing, tolerance = 1e-6)
  expect_equal(restored$origin, volume$origin, tolerance = 1e-6)
})

test_that("extraction matches first-order definitions on a synthetic ROI", {
  set.seed(11)
  image <- calci_volume(array(round(stats::rnorm(4000, 30, 40)), dim = c(20, 20, 10)))
  roi <- array(0, dim = c(20, 20, 10))
  roi[4:15, 5:16, 2:9] <- 1
  features <- calci_extract(image, calci_volume(roi), "pyradiomics")
  expect_true(all(startsWith(names(features), "original_")))
  expect_first_order(features, as.array(image)[roi == 1])
})

test_that("settings reach the library", {
  set.seed(12)
  image <- calci_volume(array(round(stats::rnorm(1000, 30, 40)), dim = c(10, 10, 10)))
  roi <- array(0, dim = c(10, 10, 10))
  roi[2:9, 2:9, 2:9] <- 1
  mask <- calci_volume(roi)
  params <- calci_params("pyradiomics", features = list(firstorder = c("Mean", "Energy"),
                                                        glcm = FALSE, glrlm = FALSE,
                                                        glszm = FALSE, gldm = FALSE,
                                                        shape = FALSE, ngtdm = FALSE),
                         settings = list(voxelArrayShift = 1000))
  features <- calci_extract(image, mask, params)
  expect_setequal(names(features), c("original_firstorder_Mean",
                                     "original_firstorder_Energy"))
  values <- as.array(image)[roi == 1]
  # pyradiomics: Energy = sum((X + c)^2) with c = voxelArrayShift.
  expect_equal(unname(features[["original_firstorder_Energy"]]), sum((values + 1000)^2),
               tolerance = 1e-12)
})

test_that("unknown setting raises RAD_ERR_PARAMETER", {
  image <- calci_volume(array(0, dim = c(4, 4, 4)))
  expect_error(calci_extract(image, image, list(settings = list(binwidthh = 5))),
               "RAD_ERR_PARAMETER")
})

test_that("missing file raises RAD_ERR_IO", {
  expect_error(calci_read_volume(file.path(tempdir(), "missing.nii.gz")), "RAD_ERR_IO")
})

test_that("box mask and extraction on simulated lesion crops", {
  root <- dirname(refdata_path("calci_sim_on_sts/manifest.csv"))
  manifest <- utils::read.csv(file.path(root, "manifest.csv"))
  for (row in seq_len(min(4L, nrow(manifest)))) {
    case <- manifest[row, ]
    image <- calci_read_volume(file.path(root, case$image))
    center <- c(case$box_x, case$box_y, case$box_z)
    mask <- calci_box_mask(image, center, size_mm = case$box_size)
    expect_identical(mask$size, image$size, info = case$case_id)

    # Every voxel of the mask lies in the cube: its centre, index_to_world
    # = origin + direction %*% (spacing * ijk), is within half an edge of
    # the box centre along each world axis (the crops are axis-aligned).
    labels <- as.array(mask)
    expect_true(all(labels %in% c(0, 1)), info = case$case_id)
    inside <- which(labels == 1, arr.ind = TRUE) - 1
    expect_gt(nrow(inside), 0)
    world <- t(image$origin + image$direction %*% (t(inside) * image$spacing))
    offset <- abs(sweep(world, 2, center))
    expect_true(all(offset <= case$box_size / 2 + 1e-6), info = case$case_id)

    features <- calci_extract(image, mask, "pyradiomics")
    expect_first_order(features, as.array(image)[labels == 1])
  }
})
