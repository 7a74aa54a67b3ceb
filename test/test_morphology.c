/*
 * test_morphology.c - mesh-based shape features against pyradiomics' shape
 * baseline (brain1, brain2, breast1), the IBSI 1 digital phantom (morph_*)
 * and slow twins of the mesh, the diameters, the convex hull and the FFT path
 * of Moran's I and Geary's C.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "roi_case.h"
#include "testutil.h"

/* IBSI reference values have 3 significant digits. */
static double three_digit_tolerance(double value)
{
    if (value == 0.0)
        return 5e-4;
    return 0.5 * pow(10.0, floor(log10(fabs(value))) - 2.0);
}

START_TEST(ibsi_digital_phantom)
{
    char csv[1024];
    if (!test_refdata_path(csv, sizeof csv, "ibsi_1_reference_values/ibsi_1_dig_phantom.csv",
                           "IBSI phantom reference"))
        return;
    roi_case c;
    int loaded = roi_case_load("ibsi_1_digital_phantom/nifti/image/phantom.nii.gz",
                               "ibsi_1_digital_phantom/nifti/mask/mask.nii.gz", 1.0, 1.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);
    for (int a = 0; a < 3; a++)
        ck_assert_double_eq(c.roi.spacing[a], 2.0); /* the NIfTI header's voxel size */
    double out[32];
    ck_assert_int_eq(ri_morphology(&c.roi, NULL, out, NULL), RAD_OK);
    for (size_t f = 0; f < ri_morphology_table.count; f++) {
        double want, tolerance;
        const char *tag = ri_morphology_table.defs[f].ibsi_tag;
        ck_assert_msg(ibsi_lookup(csv, tag, &want, &tolerance) == 0, "%s missing", tag);
        /* tolerance: the published one, widened to the rounding of 3 significant digits */
        double allowed = fmax(tolerance, three_digit_tolerance(want));
        ck_assert_msg(fabs(out[f] - want) <= allowed, "%s: got %.6g, IBSI %.6g +- %g", tag,
                      out[f], want, allowed);
    }
    roi_case_free(&c);
}
END_TEST

/* MeshVolume, SurfaceArea, SurfaceVolumeRatio and Sphericity: the features read off the mesh. */
static int is_mesh_feature(size_t f)
{
    const char *name = ri_shape_table.defs[f].name;
    return strcmp(name, "MeshVolume") == 0 || strcmp(name, "SurfaceArea") == 0 ||
           strcmp(name, "SurfaceVolumeRatio") == 0 || strcmp(name, "Sphericity") == 0;
}

static void check_baseline(const char *case_name)
{
    char image[256], label[256], csv[1024];
    snprintf(image, sizeof image, "pyradiomics/data/%s_image.nrrd", case_name);
    snprintf(label, sizeof label, "pyradiomics/data/%s_label.nrrd", case_name);
    if (!test_refdata_path(csv, sizeof csv, "pyradiomics/data/baseline/baseline_shape.csv",
                           "shape baseline"))
        return;
    roi_case c;
    int loaded = roi_case_load(image, label, 1.0, 25.0, &c);
    if (loaded == 0)
        return;
    ck_assert_int_eq(loaded, 1);
    double out[32];
    rad_error *error = rad_error_create();
    ck_assert_msg(ri_shape(&c.roi, NULL, out, error) == RAD_OK, "%s", rad_error_message(error));
    int failures = 0;
    for (size_t f = 0; f < ri_shape_table.count; f++) {
        char row[128];
        double want;
        snprintf(row, sizeof row, "original_shape_%s", ri_shape_table.defs[f].name);
        if (csv_lookup(csv, row, case_name, &want) != 0) {
            ck_assert_int_eq(ri_shape_table.defs[f].deprecated, 1); /* pyradiomics omits these */
            continue;
        }
        /* tolerance: 1e-5 relative. NOTE: brain1's baseline was made with pyradiomics
         * 2.0.1b1.post11, whose mesh differs from the current cshape.c table (re-run on the
         * same mask, that table gives this library's values): its 4 mesh features get
         * 1e-3 relative. */
        double tolerance = strcmp(case_name, "brain1") == 0 && is_mesh_feature(f) ? 1e-3 : 1e-5;
        if (!close_enough(out[f], want, tolerance, 0.0)) {
            fprintf(stderr, "%s %s: got %.12g, pyradiomics %.12g (%.2e relative)\n", case_name,
                    row, out[f], want, fabs(out[f] - want) / fabs(want));
            failures++;
        }
    }
    ck_assert_msg(failures == 0, "%s: %d shape features differ from pyradiomics", case_name,
                  failures);
    rad_error_free(error);
    roi_case_free(&c);
}

START_TEST(baseline_brain1) { check_baseline("brain1"); }
END_TEST
START_TEST(baseline_brain2) { check_baseline("brain2"); }
END_TEST
START_TEST(baseline_breast1) { check_baseline("breast1"); }
END_TEST

/*
 * Hand cases: one voxel of 1 x 2 x 3 mm gives the octahedron with vertices
 * at the 6 face centres, half-axes 0.5, 1, 1.5: volume 4/3 * 0.5 * 1 * 1.5 = 1,
 * area 8 triangles of half |(0.5,-1,0) x (0.5,0,-1.5)| = 8 * 0.5 * sqrt(1.5^2 + 0.75^2 + 0.5^2).
 */
START_TEST(single_voxel)
{
    size_t size[3] = {1, 1, 1};
    int levels[1] = {1};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    c.roi.spacing[0] = 1.0;
    c.roi.spacing[1] = 2.0;
    c.roi.spacing[2] = 3.0;
    ri_mesh mesh;
    ck_assert_int_eq(ri_mesh_build(&c.roi, &mesh, NULL), RAD_OK);
    ck_assert_uint_eq(mesh.n_vertices, 6);
    /* tolerance: 1e-12 (exact up to rounding) */
    ck_assert_double_eq_tol(mesh.volume, 1.0, 1e-12);
    ck_assert_double_eq_tol(mesh.area, 4.0 * sqrt(2.25 + 0.5625 + 0.25), 1e-12);
    double hull_volume, hull_area;
    ck_assert_int_eq(ri_convex_hull(mesh.vertices, 6, &hull_volume, &hull_area, NULL), RAD_OK);
    ck_assert_double_eq_tol(hull_volume, 1.0, 1e-12);
    ck_assert_double_eq_tol(hull_area, mesh.area, 1e-12);
    ri_mesh_free(&mesh);
    roi_case_free(&c);
}
END_TEST

/* ---- single cube configurations ------------------------------------------ */

/* Bit of the corner at (x, y, z) in ri_mesh_cube_triangles' corner order. */
static int corner_bit(int x, int y, int z)
{
    static const int bit_at[2][2][2] = {{{0, 4}, {3, 7}}, {{1, 5}, {2, 6}}}; /* [x][y][z] */
    return 1 << bit_at[x][y][z];
}

static double triangle_area(const double t[3][3])
{
    double u[3], v[3];
    for (int a = 0; a < 3; a++) {
        u[a] = t[1][a] - t[0][a];
        v[a] = t[2][a] - t[0][a];
    }
    double cx = u[1] * v[2] - u[2] * v[1], cy = u[2] * v[0] - u[0] * v[2];
    double cz = u[0] * v[1] - u[1] * v[0];
    return 0.5 * sqrt(cx * cx + cy * cy + cz * cz);
}

static double cube_area(int config, int *n_triangles)
{
    double triangles[12][3][3];
    *n_triangles = ri_mesh_cube_triangles(config, triangles);
    double area = 0.0;
    for (int t = 0; t < *n_triangles; t++)
        area += triangle_area(triangles[t]);
    return area;
}

/*
 * Hand values (unit cube, vertices at edge midpoints):
 * - one inside corner: 1 equilateral triangle of side sqrt(2)/2, area sqrt(3)/8;
 * - two corners on an edge: a 1 x sqrt(2)/2 rectangle in 2 triangles;
 * - four corners of a face: the unit square at height 1/2 in 2 triangles;
 * - two diagonal corners of a face, corner (0,1,1) outside: cut off separately,
 *   2 triangles of sqrt(3)/8;
 * - two diagonal corners of a face that include corner (0,1,1): pyradiomics
 *   meshes the complement, whose face keeps the two corners joined, so the
 *   6 midpoints form one loop in 4 triangles (and the area exceeds sqrt(3)/4).
 */
START_TEST(cube_configuration_counts)
{
    int n;
    /* tolerance: 1e-12 (exact up to rounding) */
    ck_assert_double_eq_tol(cube_area(corner_bit(0, 0, 0), &n), sqrt(3.0) / 8.0, 1e-12);
    ck_assert_int_eq(n, 1);
    ck_assert_double_eq_tol(cube_area(corner_bit(0, 0, 0) | corner_bit(1, 0, 0), &n),
                            sqrt(2.0) / 2.0, 1e-12);
    ck_assert_int_eq(n, 2);
    int face = corner_bit(0, 0, 0) | corner_bit(1, 0, 0) | corner_bit(0, 1, 0) | corner_bit(1, 1, 0);
    ck_assert_double_eq_tol(cube_area(face, &n), 1.0, 1e-12);
    ck_assert_int_eq(n, 2);
    ck_assert_double_eq_tol(cube_area(corner_bit(0, 0, 1) | corner_bit(1, 1, 1), &n),
                            sqrt(3.0) / 4.0, 1e-12);
    ck_assert_int_eq(n, 2);
    double joined = cube_area(corner_bit(0, 1, 1) | corner_bit(1, 0, 1), &n);
    ck_assert_int_eq(n, 4);
    ck_assert_double_gt(joined, sqrt(3.0) / 4.0 + 0.1);
    /* the complement, with (0,1,1) outside, is meshed as it is: the same single loop */
    double complement = cube_area(0xff ^ (corner_bit(0, 1, 1) | corner_bit(1, 0, 1)), &n);
    ck_assert_int_eq(n, 4);
    ck_assert_double_eq_tol(complement, joined, 1e-12);

    /* every configuration: c and its complement share one surface (pyradiomics meshes
     * one as the other), the empty and full cubes have none, and no cube exceeds
     * pyradiomics' 5 triangles */
    ck_assert_double_eq(cube_area(0, &n), 0.0);
    ck_assert_int_eq(n, 0);
    ck_assert_double_eq(cube_area(255, &n), 0.0);
    ck_assert_int_eq(n, 0);
    for (int config = 1; config < 255; config++) {
        int n_complement;
        double area = cube_area(config, &n), area_complement = cube_area(config ^ 0xff, &n_complement);
        ck_assert_int_eq(n, n_complement);
        ck_assert_int_ge(n, 1);
        ck_assert_int_le(n, 5);
        ck_assert_double_eq_tol(area, area_complement, 1e-12);
    }
}
END_TEST

/*
 * Solid a x b x c blocks (unit spacing) give closed convex meshes, worked out by
 * hand from the voxel-centre grid (n - 1 unit steps along each side):
 * area = 2 [(a-1)(b-1) + (b-1)(c-1) + (a-1)(c-1)]   flat faces
 *      + 2 sqrt(2) [(a-1) + (b-1) + (c-1)]          12 edge chamfers, sqrt(2)/2 wide
 *      + sqrt(3)                                    8 corner triangles of sqrt(3)/8,
 * volume = (a-1)(b-1)(c-1) + [(a-1)(b-1) + (b-1)(c-1) + (a-1)(c-1)]
 *        + [(a-1) + (b-1) + (c-1)] / 2 + 1/6
 * (core, face slabs 1/2 thick, edge prisms of cross-section 1/8, corner
 * tetrahedra of 1/48). A single voxel gives sqrt(3) and 1/6, pyradiomics'
 * octahedron; c = 1 is a one-voxel plane.
 */
START_TEST(block_area_volume)
{
    static const size_t blocks[][3] = {{1, 1, 1}, {2, 2, 2}, {5, 4, 1}, {3, 4, 6}, {7, 1, 1}};
    for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
        size_t size[3] = {blocks[k][0] + 2, blocks[k][1] + 2, blocks[k][2] + 2};
        size_t n = size[0] * size[1] * size[2];
        int *levels = calloc(n, sizeof *levels);
        ck_assert_ptr_nonnull(levels);
        for (size_t z = 1; z + 1 < size[2]; z++)
            for (size_t y = 1; y + 1 < size[1]; y++)
                for (size_t x = 1; x + 1 < size[0]; x++)
                    levels[x + size[0] * (y + size[1] * z)] = 1;
        roi_case c;
        ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
        free(levels);
        ri_mesh mesh;
        ck_assert_int_eq(ri_mesh_build(&c.roi, &mesh, NULL), RAD_OK);
        double a = (double)blocks[k][0] - 1, b = (double)blocks[k][1] - 1;
        double d = (double)blocks[k][2] - 1;
        double area = 2.0 * (a * b + b * d + a * d) + 2.0 * sqrt(2.0) * (a + b + d) + sqrt(3.0);
        double volume = a * b * d + (a * b + b * d + a * d) + (a + b + d) / 2.0 + 1.0 / 6.0;
        /* tolerance: 1e-9 absolute (exact up to rounding) */
        ck_assert_msg(fabs(mesh.area - area) < 1e-9, "block %zu: area %.12g, by hand %.12g", k,
                      mesh.area, area);
        ck_assert_msg(fabs(mesh.volume - volume) < 1e-9, "block %zu: volume %.12g, by hand %.12g",
                      k, mesh.volume, volume);
        ri_mesh_free(&mesh);
        roi_case_free(&c);
    }
}
END_TEST

/* ---- slow twins ---------------------------------------------------- */

static void random_case(unsigned seed, roi_case *c)
{
    srand(seed);
    size_t size[3] = {1 + (size_t)(rand() % 7), 1 + (size_t)(rand() % 7), 1 + (size_t)(rand() % 6)};
    size_t n = size[0] * size[1] * size[2];
    int fill = 30 + rand() % 70;
    int *levels = calloc(n, sizeof *levels);
    ck_assert_ptr_nonnull(levels);
    for (size_t v = 0; v < n; v++)
        levels[v] = rand() % 100 < fill ? 1 + rand() % 5 : 0;
    levels[rand() % n] = 1 + rand() % 5;
    ck_assert_int_eq(roi_case_from_levels(size, levels, c), 0);
    free(levels);
    c->roi.spacing[0] = 0.5 + (rand() % 4) * 0.5;
    c->roi.spacing[1] = 0.5 + (rand() % 4) * 0.5;
    c->roi.spacing[2] = 1.0 + (rand() % 4);
}

/*
 * Counts the mesh vertices by definition: one per grid edge whose two ends
 * differ, with everything beyond the box empty.
 */
static size_t naive_vertex_count(const roi_case *c)
{
    const size_t *size = c->roi.size;
    size_t count = 0;
    for (long z = -1; z <= (long)size[2]; z++)
        for (long y = -1; y <= (long)size[1]; y++)
            for (long x = -1; x <= (long)size[0]; x++)
                for (int axis = 0; axis < 3; axis++) {
                    long q[3] = {x, y, z}, r[3] = {x, y, z};
                    r[axis]++;
                    int in[2] = {0, 0};
                    long *p[2] = {q, r};
                    for (int k = 0; k < 2; k++)
                        if (p[k][0] >= 0 && p[k][1] >= 0 && p[k][2] >= 0 &&
                            p[k][0] < (long)size[0] && p[k][1] < (long)size[1] &&
                            p[k][2] < (long)size[2])
                            in[k] = c->mask[(size_t)p[k][0] +
                                            size[0] * ((size_t)p[k][1] + size[1] * (size_t)p[k][2])];
                    count += in[0] != in[1];
                }
    return count;
}

static int inside(const roi_case *c, long x, long y, long z)
{
    const size_t *size = c->roi.size;
    if (x < 0 || y < 0 || z < 0 || x >= (long)size[0] || y >= (long)size[1] || z >= (long)size[2])
        return 0;
    return c->mask[(size_t)x + size[0] * ((size_t)y + size[1] * (size_t)z)] != 0;
}

/* Whether some 2 x 2 square of voxels in an axis plane has exactly its diagonal inside. */
static int has_ambiguous_face(const roi_case *c)
{
    const size_t *size = c->roi.size;
    for (long z = -1; z <= (long)size[2]; z++)
        for (long y = -1; y <= (long)size[1]; y++)
            for (long x = -1; x <= (long)size[0]; x++)
                for (int axis = 0; axis < 3; axis++) {
                    /* the square spanned by the two axes other than axis */
                    long u[3] = {0, 0, 0}, v[3] = {0, 0, 0};
                    u[(axis + 1) % 3] = 1;
                    v[(axis + 2) % 3] = 1;
                    int p00 = inside(c, x, y, z);
                    int p11 = inside(c, x + u[0] + v[0], y + u[1] + v[1], z + u[2] + v[2]);
                    int p10 = inside(c, x + u[0], y + u[1], z + u[2]);
                    int p01 = inside(c, x + v[0], y + v[1], z + v[2]);
                    if (p00 == p11 && p10 == p01 && p00 != p10)
                        return 1;
                }
    return 0;
}

START_TEST(slow_twin_random_masks)
{
    for (unsigned seed = 1; seed <= 150; seed++) {
        roi_case c;
        random_case(seed, &c);
        ri_mesh mesh;
        ck_assert_int_eq(ri_mesh_build(&c.roi, &mesh, NULL), RAD_OK);
        ck_assert_uint_eq(mesh.n_vertices, naive_vertex_count(&c));
        /* each vertex sits half a voxel from a voxel centre: a closed mesh's volume lies
         * between the volume of the voxels cut by corners and the voxel count's volume.
         * The mesh is closed when no face of the voxel-centre grid is ambiguous. With one,
         * pyradiomics' table can leave it open, so only positivity is checked */
        double voxel = c.roi.spacing[0] * c.roi.spacing[1] * c.roi.spacing[2];
        if (!has_ambiguous_face(&c)) {
            ck_assert_double_le(mesh.volume, (double)c.roi.n_voxels * voxel + 1e-9);
            ck_assert_double_ge(mesh.volume, (double)c.roi.n_voxels * voxel / 6.0 - 1e-9);
        }
        ck_assert_double_gt(mesh.volume, 0.0);

        /* convex hull twin: every vertex lies inside or on the hull, checked by brute
         * force over all vertex triples as supporting planes: the hull volume is at least
         * the mesh volume and at most the bounding box volume */
        double hull_volume, hull_area;
        ck_assert_int_eq(ri_convex_hull(mesh.vertices, mesh.n_vertices, &hull_volume,
                                        &hull_area, NULL), RAD_OK);
        double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
        for (size_t k = 0; k < mesh.n_vertices; k++)
            for (int a = 0; a < 3; a++) {
                lo[a] = fmin(lo[a], mesh.vertices[3 * k + a]);
                hi[a] = fmax(hi[a], mesh.vertices[3 * k + a]);
            }
        double box = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
        ck_assert_double_ge(hull_volume, mesh.volume - 1e-9);
        ck_assert_double_le(hull_volume, box + 1e-9);

        /* diameters by brute force over the vertex list */
        double best = 0.0;
        for (size_t i = 0; i < mesh.n_vertices; i++)
            for (size_t j = 0; j < mesh.n_vertices; j++) {
                double d = 0.0;
                for (int a = 0; a < 3; a++)
                    d += pow(mesh.vertices[3 * i + a] - mesh.vertices[3 * j + a], 2);
                best = fmax(best, sqrt(d));
            }
        double out[32];
        ck_assert_int_eq(ri_shape(&c.roi, NULL, out, NULL), RAD_OK);
        /* tolerance: 1e-12 absolute (same arithmetic) */
        ck_assert_double_eq_tol(out[8], best, 1e-12);
        ck_assert_double_eq_tol(out[0], mesh.volume, 1e-12);
        ri_mesh_free(&mesh);
        roi_case_free(&c);
    }
}
END_TEST

/* ---- Moran's I and Geary's C ------------------------------------------------ */

/* Relative difference, with NaN equal only to NaN. */
static double relative_difference(double got, double want)
{
    if (isnan(got) || isnan(want))
        return isnan(got) && isnan(want) ? 0.0 : INFINITY;
    return fabs(got - want) / fmax(fabs(want), 1e-300);
}

/* Checks the FFT path against the direct sum (the slow twin) on one ROI. */
static void check_fft_against_direct(const roi_case *c, const char *label)
{
    double moran_direct, geary_direct, moran_fft, geary_fft;
    ck_assert_int_eq(ri_spatial_autocorrelation(&c->roi, RI_AUTOCORRELATION_DIRECT,
                                                &moran_direct, &geary_direct, NULL),
                     RAD_OK);
    ck_assert_int_eq(ri_spatial_autocorrelation(&c->roi, RI_AUTOCORRELATION_FFT, &moran_fft,
                                                &geary_fft, NULL),
                     RAD_OK);
    /* tolerance: 1e-9 relative. The largest difference seen on these cases is 8e-12, on
     * the 4,800-voxel box and on a Moran's I of 1.6e-6 whose sum cancels almost to 0. */
    ck_assert_msg(relative_difference(moran_fft, moran_direct) <= 1e-9,
                  "%s: Moran's I by FFT %.17g, direct %.17g", label, moran_fft, moran_direct);
    ck_assert_msg(relative_difference(geary_fft, geary_direct) <= 1e-9,
                  "%s: Geary's C by FFT %.17g, direct %.17g", label, geary_fft, geary_direct);
}

/* Random anisotropic spacing in [0.3, 3.3) mm on each axis. */
static void random_spacing(roi_case *c)
{
    for (int a = 0; a < 3; a++)
        c->roi.spacing[a] = 0.3 + 3.0 * rand() / ((double)RAND_MAX + 1.0);
}

/* Replaces the ROI values by level * 10 plus uniform noise in [-5, 5). */
static void random_values(roi_case *c)
{
    size_t n = c->roi.size[0] * c->roi.size[1] * c->roi.size[2];
    for (size_t v = 0; v < n; v++)
        if (c->mask[v])
            c->values[v] = 10.0 * c->levels[v] - 5.0 + 10.0 * rand() / ((double)RAND_MAX + 1.0);
}

START_TEST(autocorrelation_fft_random_shapes)
{
    for (unsigned seed = 1; seed <= 120; seed++) {
        roi_case c;
        ck_assert_int_eq(roi_case_random_shape(seed, &c), 0);
        random_spacing(&c);
        if (seed % 2 == 0)
            random_values(&c);
        char label[64];
        snprintf(label, sizeof label, "seed %u (%zu x %zu x %zu box, %zu voxels)", seed,
                 c.roi.size[0], c.roi.size[1], c.roi.size[2], c.roi.n_voxels);
        check_fft_against_direct(&c, label);
        roi_case_free(&c);
    }
}
END_TEST

/*
 * Full boxes with odd and even sides, one voxel thick along each axis in turn,
 * a single row, and boxes large enough for padded sides with factors 3, 5 and 7.
 */
START_TEST(autocorrelation_fft_boxes)
{
    static const size_t boxes[][3] = {{2, 1, 1},  {1, 7, 1},  {1, 1, 6},   {9, 8, 1},
                                      {1, 10, 5}, {6, 1, 11}, {4, 4, 4},   {5, 5, 5},
                                      {13, 9, 7}, {18, 1, 4}, {25, 18, 3}, {20, 20, 12}};
    srand(2024);
    for (size_t k = 0; k < sizeof boxes / sizeof boxes[0]; k++) {
        size_t n = boxes[k][0] * boxes[k][1] * boxes[k][2];
        int *levels = malloc(n * sizeof *levels);
        ck_assert_ptr_nonnull(levels);
        for (size_t v = 0; v < n; v++)
            levels[v] = 1 + rand() % 8;
        roi_case c;
        ck_assert_int_eq(roi_case_from_levels(boxes[k], levels, &c), 0);
        free(levels);
        random_spacing(&c);
        random_values(&c);
        char label[64];
        snprintf(label, sizeof label, "%zu x %zu x %zu box", boxes[k][0], boxes[k][1],
                 boxes[k][2]);
        check_fft_against_direct(&c, label);
        roi_case_free(&c);
    }
}
END_TEST

/*
 * A linear ramp has positive autocorrelation (I = 0.20, C = 0.74), and there
 * the FFT path's difference 2 sum z^2 (K * m) - 2 sum z (K * z) cancels in
 * part. A checkerboard has negative autocorrelation.
 */
START_TEST(autocorrelation_fft_smooth_and_checkerboard)
{
    size_t size[3] = {15, 12, 6};
    size_t n = size[0] * size[1] * size[2];
    int *levels = malloc(n * sizeof *levels);
    ck_assert_ptr_nonnull(levels);
    for (size_t v = 0; v < n; v++)
        levels[v] = 1;
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    free(levels);
    c.roi.spacing[0] = 0.7;
    c.roi.spacing[1] = 0.9;
    c.roi.spacing[2] = 2.5;
    for (size_t z = 0; z < size[2]; z++)
        for (size_t y = 0; y < size[1]; y++)
            for (size_t x = 0; x < size[0]; x++)
                c.values[x + size[0] * (y + size[1] * z)] = 100.0 + 0.5 * x + 0.2 * y + 0.1 * z;
    check_fft_against_direct(&c, "smooth ramp");
    for (size_t z = 0; z < size[2]; z++)
        for (size_t y = 0; y < size[1]; y++)
            for (size_t x = 0; x < size[0]; x++)
                c.values[x + size[0] * (y + size[1] * z)] = (x + y + z) % 2 ? 50.0 : -20.0;
    check_fft_against_direct(&c, "checkerboard");
    roi_case_free(&c);
}
END_TEST

/*
 * Hand values: two voxels at distance d with values a != b have z = +-(a - b) / 2,
 * W = 2 / d, sum w z_i z_j = -(a - b)^2 / (2 d) and sum z^2 = (a - b)^2 / 2,
 * so I = 2 / W * (-(a - b)^2 / (2 d)) / ((a - b)^2 / 2) = -1, and
 * C = 1 / (2 W) * 2 (a - b)^2 / d / ((a - b)^2 / 2) = 1.
 * One voxel and equal intensities give 0 / 0, so both paths return NaN.
 */
START_TEST(autocorrelation_degenerate)
{
    size_t size[3] = {2, 1, 1};
    int levels[2] = {1, 1};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    c.roi.spacing[0] = 1.7;
    c.values[0] = 3.0;
    c.values[1] = -4.5;
    for (int method = RI_AUTOCORRELATION_AUTO; method <= RI_AUTOCORRELATION_FFT; method++) {
        double moran, geary;
        ck_assert_int_eq(ri_spatial_autocorrelation(&c.roi, (ri_autocorrelation_method)method,
                                                    &moran, &geary, NULL),
                         RAD_OK);
        /* tolerance: 1e-12 (exact up to rounding) */
        ck_assert_double_eq_tol(moran, -1.0, 1e-12);
        ck_assert_double_eq_tol(geary, 1.0, 1e-12);

        /* equal intensities, 0.1 being inexact so that the mean may differ from it */
        c.values[0] = c.values[1] = 0.1;
        ck_assert_int_eq(ri_spatial_autocorrelation(&c.roi, (ri_autocorrelation_method)method,
                                                    &moran, &geary, NULL),
                         RAD_OK);
        ck_assert(isnan(moran));
        ck_assert(isnan(geary));
        c.values[0] = 3.0;
        c.values[1] = -4.5;
    }
    roi_case_free(&c);

    int one[1] = {1};
    size_t single[3] = {1, 1, 1};
    ck_assert_int_eq(roi_case_from_levels(single, one, &c), 0);
    for (int method = RI_AUTOCORRELATION_AUTO; method <= RI_AUTOCORRELATION_FFT; method++) {
        double moran = 0.0, geary = 0.0;
        ck_assert_int_eq(ri_spatial_autocorrelation(&c.roi, (ri_autocorrelation_method)method,
                                                    &moran, &geary, NULL),
                         RAD_OK);
        ck_assert(isnan(moran));
        ck_assert(isnan(geary));
    }
    roi_case_free(&c);
}
END_TEST

/* ri_morphology computes Moran's I and Geary's C only when one of them is enabled. */
START_TEST(autocorrelation_only_when_enabled)
{
    roi_case c;
    ck_assert_int_eq(roi_case_random_shape(7, &c), 0);
    random_values(&c);
    size_t moran_index = SIZE_MAX, geary_index = SIZE_MAX;
    for (size_t f = 0; f < ri_morphology_table.count; f++) {
        if (strcmp(ri_morphology_table.defs[f].ibsi_tag, "morph_moran_i") == 0)
            moran_index = f;
        if (strcmp(ri_morphology_table.defs[f].ibsi_tag, "morph_geary_c") == 0)
            geary_index = f;
    }
    ck_assert_uint_lt(moran_index, ri_morphology_table.count);
    ck_assert_uint_lt(geary_index, ri_morphology_table.count);
    double want_moran, want_geary;
    ck_assert_int_eq(ri_spatial_autocorrelation(&c.roi, RI_AUTOCORRELATION_DIRECT, &want_moran,
                                                &want_geary, NULL),
                     RAD_OK);
    ck_assert(!isnan(want_moran));

    unsigned char enabled[64];
    ck_assert_uint_le(ri_morphology_table.count, sizeof enabled);
    ri_settings settings;
    memset(&settings, 0, sizeof settings);
    settings.enabled[RI_CLASS_MORPHOLOGY] = enabled;
    double out[64];

    /* neither enabled: both NaN, the others computed */
    memset(enabled, 1, sizeof enabled);
    enabled[moran_index] = enabled[geary_index] = 0;
    ck_assert_int_eq(ri_morphology(&c.roi, &settings, out, NULL), RAD_OK);
    ck_assert(isnan(out[moran_index]));
    ck_assert(isnan(out[geary_index]));
    ck_assert(out[0] > 0.0);

    /* either one enabled: both computed */
    for (int which = 0; which < 2; which++) {
        memset(enabled, 0, sizeof enabled);
        enabled[which == 0 ? moran_index : geary_index] = 1;
        ck_assert_int_eq(ri_morphology(&c.roi, &settings, out, NULL), RAD_OK);
        /* tolerance: 1e-9 relative (the direct path or the FFT path, by ROI size) */
        ck_assert_double_le(relative_difference(out[moran_index], want_moran), 1e-9);
        ck_assert_double_le(relative_difference(out[geary_index], want_geary), 1e-9);
    }
    roi_case_free(&c);
}
END_TEST

START_TEST(rejects_empty_mask)
{
    size_t size[3] = {2, 1, 1};
    int levels[2] = {0, 0};
    roi_case c;
    ck_assert_int_eq(roi_case_from_levels(size, levels, &c), 0);
    double out[32];
    ck_assert_int_eq(ri_shape(&c.roi, NULL, out, NULL), RAD_ERR_ARGUMENT);
    ck_assert_int_eq(ri_morphology(&c.roi, NULL, out, NULL), RAD_ERR_ARGUMENT);
    roi_case_free(&c);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("morphology");
    TCase *tc = tcase_create("morphology");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, ibsi_digital_phantom);
    tcase_add_test(tc, baseline_brain1);
    tcase_add_test(tc, baseline_brain2);
    tcase_add_test(tc, baseline_breast1);
    tcase_add_test(tc, single_voxel);
    tcase_add_test(tc, cube_configuration_counts);
    tcase_add_test(tc, block_area_volume);
    tcase_add_test(tc, slow_twin_random_masks);
    tcase_add_test(tc, rejects_empty_mask);
    tcase_add_test(tc, autocorrelation_fft_random_shapes);
    tcase_add_test(tc, autocorrelation_fft_boxes);
    tcase_add_test(tc, autocorrelation_fft_smooth_and_checkerboard);
    tcase_add_test(tc, autocorrelation_degenerate);
    tcase_add_test(tc, autocorrelation_only_when_enabled);
    suite_add_tcase(suite, tc);

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
