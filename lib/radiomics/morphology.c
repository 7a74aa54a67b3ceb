/*
 * morphology.c - mesh-based shape features: pyradiomics' shape class and
 * IBSI's morphological family (morph_*).
 *
 * Mesh: marching cubes on the ROI mask padded by one empty voxel, with every
 * vertex at the midpoint of a cube edge whose ends differ (iso-level 0.5).
 * Each cube's triangles come from a table built here from the cube faces:
 * the edge midpoints of a face are joined so that the segments cut off the
 * face's inside corners (a face with two diagonal inside corners gets two
 * segments), the segments are chained into loops and each loop is
 * triangulated as a fan from its first vertex, oriented outward.
 * NOTE: pyradiomics uses a fixed lookup table. Where a loop is not planar
 * (3 or more inside corners in a cube) its fan can differ from that table,
 * so mesh area and volume agree with pyradiomics only up to that choice.
 * Volume is |sum over triangles of det(a, b, c)| / 6 (signed tetrahedra).
 *
 * Axis lengths: eigenvalues l1 >= l2 >= l3 of the population covariance of
 * the ROI voxel centres in mm; major = 4 sqrt(l1), minor = 4 sqrt(l2),
 * least = 4 sqrt(l3), elongation = sqrt(l2 / l1), flatness = sqrt(l3 / l1).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"

/* ---- feature tables --------------------------------------------------- */

enum {
    SHAPE_MESH_VOLUME, SHAPE_VOXEL_VOLUME, SHAPE_SURFACE_AREA, SHAPE_SURFACE_VOLUME_RATIO,
    SHAPE_SPHERICITY, SHAPE_COMPACTNESS1, SHAPE_COMPACTNESS2, SHAPE_SPHERICAL_DISPROPORTION,
    SHAPE_MAX3D, SHAPE_MAX2D_SLICE, SHAPE_MAX2D_COLUMN, SHAPE_MAX2D_ROW, SHAPE_MAJOR,
    SHAPE_MINOR, SHAPE_LEAST, SHAPE_ELONGATION, SHAPE_FLATNESS, SHAPE_COUNT
};

static const ri_feature_def shape_defs[SHAPE_COUNT] = {
    {"MeshVolume", "morph_volume", "RNU0", 1, 0, NAN},
    {"VoxelVolume", "morph_vol_approx", "YEKZ", 1, 0, NAN},
    {"SurfaceArea", "morph_area_mesh", "C0JK", 1, 0, NAN},
    {"SurfaceVolumeRatio", "morph_av", "2PR5", 1, 0, NAN},
    {"Sphericity", "morph_sphericity", "QCFX", 1, 0, NAN},
    {"Compactness1", "morph_comp_1", "SKGS", 0, 1, NAN},
    {"Compactness2", "morph_comp_2", "BQWJ", 0, 1, NAN},
    {"SphericalDisproportion", "morph_sph_dispr", "KRCK", 0, 1, NAN},
    {"Maximum3DDiameter", "morph_diam", "L0JK", 1, 0, NAN},
    {"Maximum2DDiameterSlice", "", "", 1, 0, NAN},
    {"Maximum2DDiameterColumn", "", "", 1, 0, NAN},
    {"Maximum2DDiameterRow", "", "", 1, 0, NAN},
    {"MajorAxisLength", "morph_pca_maj_axis", "TDIC", 1, 0, NAN},
    {"MinorAxisLength", "morph_pca_min_axis", "P9VJ", 1, 0, NAN},
    {"LeastAxisLength", "morph_pca_least_axis", "7J51", 1, 0, NAN},
    {"Elongation", "morph_pca_elongation", "Q3CK", 1, 0, NAN},
    {"Flatness", "morph_pca_flatness", "N17B", 1, 0, NAN},
};

const ri_feature_table ri_shape_table = {"shape", shape_defs, SHAPE_COUNT};

enum {
    MORPH_VOLUME, MORPH_VOL_APPROX, MORPH_AREA, MORPH_AV, MORPH_COMP1, MORPH_COMP2,
    MORPH_SPH_DISPR, MORPH_SPHERICITY, MORPH_ASPHERICITY, MORPH_COM, MORPH_DIAM, MORPH_MAJOR,
    MORPH_MINOR, MORPH_LEAST, MORPH_ELONGATION, MORPH_FLATNESS, MORPH_VOL_DENS_AABB,
    MORPH_AREA_DENS_AABB, MORPH_VOL_DENS_AEE, MORPH_AREA_DENS_AEE, MORPH_VOL_DENS_HULL,
    MORPH_AREA_DENS_HULL, MORPH_INTEG_INT, MORPH_MORAN_I, MORPH_GEARY_C, MORPH_COUNT
};

/* OMBB and MVEE densities are left out: IBSI 1 reached no consensus on them. */
static const ri_feature_def morph_defs[MORPH_COUNT] = {
    {"MeshVolume", "morph_volume", "RNU0", 0, 0, NAN},
    {"VoxelVolume", "morph_vol_approx", "YEKZ", 0, 0, NAN},
    {"SurfaceArea", "morph_area_mesh", "C0JK", 0, 0, NAN},
    {"SurfaceVolumeRatio", "morph_av", "2PR5", 0, 0, NAN},
    {"Compactness1", "morph_comp_1", "SKGS", 0, 0, NAN},
    {"Compactness2", "morph_comp_2", "BQWJ", 0, 0, NAN},
    {"SphericalDisproportion", "morph_sph_dispr", "KRCK", 0, 0, NAN},
    {"Sphericity", "morph_sphericity", "QCFX", 0, 0, NAN},
    {"", "morph_asphericity", "25C7", 0, 0, NAN},
    {"", "morph_com", "KLMA", 0, 0, NAN},
    {"Maximum3DDiameter", "morph_diam", "L0JK", 0, 0, NAN},
    {"MajorAxisLength", "morph_pca_maj_axis", "TDIC", 0, 0, NAN},
    {"MinorAxisLength", "morph_pca_min_axis", "P9VJ", 0, 0, NAN},
    {"LeastAxisLength", "morph_pca_least_axis", "7J51", 0, 0, NAN},
    {"Elongation", "morph_pca_elongation", "Q3CK", 0, 0, NAN},
    {"Flatness", "morph_pca_flatness", "N17B", 0, 0, NAN},
    {"", "morph_vol_dens_aabb", "PBX1", 0, 0, NAN},
    {"", "morph_area_dens_aabb", "R59B", 0, 0, NAN},
    {"", "morph_vol_dens_aee", "6BDE", 0, 0, NAN},
    {"", "morph_area_dens_aee", "RDD2", 0, 0, NAN},
    {"", "morph_vol_dens_conv_hull", "R3ER", 0, 0, NAN},
    {"", "morph_area_dens_conv_hull", "7T7F", 0, 0, NAN},
    {"", "morph_integ_int", "99N0", 0, 0, NAN},
    {"", "morph_moran_i", "N365", 0, 0, NAN},
    {"", "morph_geary_c", "NPT7", 0, 0, NAN},
};

const ri_feature_table ri_morphology_table = {"morphology", morph_defs, MORPH_COUNT};

/* ---- cube triangulation table --------------------------------------------- */

/* Corner c of a cube sits at (c & 1, (c >> 1) & 1, (c >> 2) & 1). */
static const int edge_corners[12][2] = {
    {0, 1}, {2, 3}, {4, 5}, {6, 7}, /* along x */
    {0, 2}, {1, 3}, {4, 6}, {5, 7}, /* along y */
    {0, 4}, {1, 5}, {2, 6}, {3, 7}, /* along z */
};

/* The 4 corners of each face in cyclic order. */
static const int face_corners[6][4] = {
    {0, 2, 6, 4}, {1, 3, 7, 5}, {0, 1, 5, 4}, {2, 3, 7, 6}, {0, 1, 3, 2}, {4, 5, 7, 6},
};

#define MAX_CUBE_TRIANGLES 12

typedef struct cube_table {
    signed char triangles[256][3 * MAX_CUBE_TRIANGLES + 1]; /* edge triples, -1 terminated */
} cube_table;

static int edge_between(int a, int b)
{
    for (int e = 0; e < 12; e++)
        if ((edge_corners[e][0] == a && edge_corners[e][1] == b) ||
            (edge_corners[e][0] == b && edge_corners[e][1] == a))
            return e;
    return -1;
}

static void edge_midpoint(int e, double p[3])
{
    for (int a = 0; a < 3; a++)
        p[a] = 0.5 * (((edge_corners[e][0] >> a) & 1) + ((edge_corners[e][1] >> a) & 1));
}

/* Triangulates configuration config (bit c set: corner c inside) into row. */
static void triangulate_cube(int config, signed char *row)
{
    int link[12][2], degree[12] = {0};
    for (int f = 0; f < 6; f++) {
        int crossing[4], n = 0, inside_first = (config >> face_corners[f][0]) & 1;
        for (int k = 0; k < 4; k++) {
            int a = face_corners[f][k], b = face_corners[f][(k + 1) % 4];
            if (((config >> a) & 1) != ((config >> b) & 1))
                crossing[n++] = edge_between(a, b);
        }
        /* n is 0, 2 or 4; with 4, pair the edges around each inside corner */
        for (int s = 0; s + 1 < n; s += 2) {
            int e0 = crossing[s], e1 = crossing[s + 1];
            if (n == 4 && inside_first) {
                e0 = crossing[(s + 3) % 4];
                e1 = crossing[s];
            }
            link[e0][degree[e0]++] = e1;
            link[e1][degree[e1]++] = e0;
        }
    }
    int used[12] = {0}, out = 0;
    for (int start = 0; start < 12; start++) {
        if (degree[start] == 0 || used[start])
            continue;
        int loop[12], length = 0, previous = -1, current = start;
        do {
            loop[length++] = current;
            used[current] = 1;
            int next = link[current][0] != previous ? link[current][0] : link[current][1];
            previous = current;
            current = next;
        } while (current != start && length < 12);

        /* orient outward: the Newell normal points away from the inside ends */
        double normal[3] = {0, 0, 0}, centre[3] = {0, 0, 0}, inside[3] = {0, 0, 0};
        for (int k = 0; k < length; k++) {
            double p[3], q[3];
            edge_midpoint(loop[k], p);
            edge_midpoint(loop[(k + 1) % length], q);
            normal[0] += (p[1] - q[1]) * (p[2] + q[2]);
            normal[1] += (p[2] - q[2]) * (p[0] + q[0]);
            normal[2] += (p[0] - q[0]) * (p[1] + q[1]);
            int c = (config >> edge_corners[loop[k]][0]) & 1 ? edge_corners[loop[k]][0]
                                                             : edge_corners[loop[k]][1];
            for (int a = 0; a < 3; a++) {
                centre[a] += p[a];
                inside[a] += (c >> a) & 1;
            }
        }
        double dot = 0.0;
        for (int a = 0; a < 3; a++)
            dot += normal[a] * (centre[a] - inside[a]) / length;
        int reverse = dot < 0.0;
        for (int k = 1; k + 1 < length; k++) {
            row[out++] = (signed char)loop[0];
            row[out++] = (signed char)loop[reverse ? k + 1 : k];
            row[out++] = (signed char)loop[reverse ? k : k + 1];
        }
    }
    row[out] = -1;
}

static void build_cube_table(cube_table *table)
{
    for (int config = 0; config < 256; config++)
        triangulate_cube(config, table->triangles[config]);
}

/* ---- mesh ---------------------------------------------------------------- */

void ri_mesh_free(ri_mesh *mesh)
{
    if (mesh == NULL)
        return;
    free(mesh->vertices);
    memset(mesh, 0, sizeof *mesh);
}

static rad_status check_roi(const ri_roi *roi, rad_error *error)
{
    if (roi == NULL || roi->mask == NULL || roi->n_voxels == 0)
        return ri_fail(error, RAD_ERR_ARGUMENT, "ROI is missing or has no voxels");
    for (int a = 0; a < 3; a++)
        if (!(roi->spacing[a] > 0.0))
            return ri_fail(error, RAD_ERR_ARGUMENT, "ROI spacing[%d] is %g, expected > 0", a,
                           roi->spacing[a]);
    return RAD_OK;
}

rad_status ri_mesh_build(const ri_roi *roi, ri_mesh *mesh, rad_error *error)
{
    memset(mesh, 0, sizeof *mesh);
    rad_status status = check_roi(roi, error);
    if (status != RAD_OK)
        return status;
    /* cubes have their lowest corner at voxel (x, y, z) - 1 of the box, x in -1..size-1 */
    size_t n[3] = {roi->size[0] + 1, roi->size[1] + 1, roi->size[2] + 1};
    size_t n_cubes = n[0] * n[1] * n[2];
    cube_table *table = malloc(sizeof *table);
    uint8_t *vertex_used = calloc(3 * n_cubes, 1); /* per (cube, axis): the edge from its corner 0 */
    if (table == NULL || vertex_used == NULL) {
        free(table);
        free(vertex_used);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for a mesh over %zu cubes",
                       n_cubes);
    }
    build_cube_table(table);
    const double *s = roi->spacing;
    double area = 0.0, volume6 = 0.0;
    size_t n_vertices = 0;
    for (size_t z = 0; z < n[2]; z++)
        for (size_t y = 0; y < n[1]; y++)
            for (size_t x = 0; x < n[0]; x++) {
                int config = 0;
                for (int c = 0; c < 8; c++) {
                    long vx = (long)x - 1 + (c & 1), vy = (long)y - 1 + ((c >> 1) & 1);
                    long vz = (long)z - 1 + ((c >> 2) & 1);
                    if (vx < 0 || vy < 0 || vz < 0 || vx >= (long)roi->size[0] ||
                        vy >= (long)roi->size[1] || vz >= (long)roi->size[2])
                        continue;
                    if (roi->mask[(size_t)vx + roi->size[0] * ((size_t)vy + roi->size[1] * (size_t)vz)])
                        config |= 1 << c;
                }
                const signed char *row = table->triangles[config];
                for (int t = 0; row[t] >= 0; t += 3) {
                    double p[3][3];
                    for (int k = 0; k < 3; k++) {
                        double m[3];
                        edge_midpoint(row[t + k], m);
                        p[k][0] = ((double)x - 1.0 + m[0]) * s[0];
                        p[k][1] = ((double)y - 1.0 + m[1]) * s[1];
                        p[k][2] = ((double)z - 1.0 + m[2]) * s[2];
                    }
                    volume6 += p[0][0] * (p[1][1] * p[2][2] - p[1][2] * p[2][1]) -
                               p[0][1] * (p[1][0] * p[2][2] - p[1][2] * p[2][0]) +
                               p[0][2] * (p[1][0] * p[2][1] - p[1][1] * p[2][0]);
                    double u[3], v[3];
                    for (int a = 0; a < 3; a++) {
                        u[a] = p[1][a] - p[0][a];
                        v[a] = p[2][a] - p[0][a];
                    }
                    double cx = u[1] * v[2] - u[2] * v[1], cy = u[2] * v[0] - u[0] * v[2];
                    double cz = u[0] * v[1] - u[1] * v[0];
                    area += 0.5 * sqrt(cx * cx + cy * cy + cz * cz);
                }
                /* the 3 edges leaving corner 0 own this cube's share of the vertices */
                for (int axis = 0; axis < 3; axis++) {
                    int e = axis == 0 ? 0 : axis == 1 ? 4 : 8;
                    int a = edge_corners[e][0], b = edge_corners[e][1];
                    if (((config >> a) & 1) != ((config >> b) & 1)) {
                        vertex_used[3 * (x + n[0] * (y + n[1] * z)) + (size_t)axis] = 1;
                        n_vertices++;
                    }
                }
            }
    free(table);
    mesh->vertices = malloc((n_vertices ? n_vertices : 1) * 3 * sizeof *mesh->vertices);
    if (mesh->vertices == NULL) {
        free(vertex_used);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "out of memory for %zu mesh vertices",
                       n_vertices);
    }
    size_t k = 0;
    for (size_t z = 0; z < n[2]; z++)
        for (size_t y = 0; y < n[1]; y++)
            for (size_t x = 0; x < n[0]; x++)
                for (int axis = 0; axis < 3; axis++) {
                    if (!vertex_used[3 * (x + n[0] * (y + n[1] * z)) + (size_t)axis])
                        continue;
                    double *p = mesh->vertices + 3 * k++;
                    p[0] = ((double)x - 1.0 + (axis == 0 ? 0.5 : 0.0)) * s[0];
                    p[1] = ((double)y - 1.0 + (axis == 1 ? 0.5 : 0.0)) * s[1];
                    p[2] = ((double)z - 1.0 + (axis == 2 ? 0.5 : 0.0)) * s[2];
                }
    free(vertex_used);
    mesh->n_vertices = n_vertices;
    mesh->area = area;
    mesh->volume = fabs(volume6) / 6.0;
    return RAD_OK;
}
