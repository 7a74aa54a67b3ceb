/*
 * box.c - region of interest from a box: a world-space cube and the
 * subcutaneous tissue inside it (skin, fat, vessels, calcifications and fat
 * stranding; muscle and bone removed).
 *
 * The steps run on a work region: the index bounding box of the cube grown
 * by box_margin_mm, so that air, muscle and bone just outside the cube still
 * decide what lies inside it. docs/segmentation.md explains each step and
 * default. "In-plane" means the plane of the first two index axes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Flags of one work-region voxel. */
enum {
    F_CUBE = 1,    /* centre inside the cube */
    F_NODATA = 2,  /* outside the reconstruction field */
    F_AIR = 4,     /* real air: at or below the air threshold, not no data */
    F_BODY = 8,    /* body part of the box */
    F_MUSCLE = 16, /* muscle, or fat septum sealed between muscles */
    F_BONE = 32,   /* bone cortex and its bright rim */
    F_KEPT = 64    /* subcutaneous tissue */
};

void ri_box_defaults(ri_settings *s)
{
    s->box_air_threshold = -500.0;
    s->box_fat_min = -190.0;
    s->box_fat_max = -30.0;
    s->box_muscle_min = 20.0;
    s->box_muscle_max = 100.0;
    s->box_bone_min = 200.0;
    s->box_nodata_value = -1000.0;
    s->box_margin_mm = 10.0;
    s->box_body_min_fraction = 0.1;
    s->box_muscle_core_mm = 2.5;
    s->box_muscle_min_volume = 1000.0;
    s->box_muscle_min_depth = 8.0;
    s->box_septum_mm = 3.0;
    s->box_bone_min_volume = 1500.0;
    s->box_bone_core_mm = 2.0;
    s->box_bone_reach_mm = 8.0;
    s->box_skin_edge_min = -750.0;
    s->box_vessel_fat_fraction = 0.3;
}

/* The work region and its scratch arrays. */
typedef struct box_work {
    size_t lo[3];       /* image index of the region's first voxel */
    size_t n[3];        /* region size */
    size_t count;       /* n[0] * n[1] * n[2] */
    double spacing[3];  /* mm */
    double voxel_mm3;
    float *hu;          /* image values */
    float *smooth;      /* 3 x 3 in-plane mean of hu */
    float *depth;       /* distance to real air, mm (chamfer estimate) */
    float *reach;       /* path length from a bone core, mm */
    uint8_t *flags;
    uint8_t *set;       /* scratch sets for morphology */
    uint8_t *set2;
    uint8_t *seen;
    size_t *queue;
} box_work;

/* An in-plane disk: offsets (dx, dy) with (dx sx)^2 + (dy sy)^2 <= r^2. */
typedef struct box_disk {
    int (*offsets)[2];
    size_t count;
} box_disk;

static void work_free(box_work *w)
{
    free(w->hu);
    free(w->smooth);
    free(w->depth);
    free(w->reach);
    free(w->flags);
    free(w->set);
    free(w->set2);
    free(w->seen);
    free(w->queue);
}

static rad_status work_alloc(box_work *w, rad_error *error)
{
    size_t c = w->count;

    w->hu = malloc(c * sizeof *w->hu);
    w->smooth = malloc(c * sizeof *w->smooth);
    w->depth = malloc(c * sizeof *w->depth);
    w->reach = malloc(c * sizeof *w->reach);
    w->flags = calloc(c, 1);
    w->set = calloc(c, 1);
    w->set2 = calloc(c, 1);
    w->seen = calloc(c, 1);
    w->queue = malloc(c * sizeof *w->queue);
    if (!w->hu || !w->smooth || !w->depth || !w->reach || !w->flags || !w->set || !w->set2 || !w->seen ||
        !w->queue)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "box mask: cannot allocate a work region of "
                       "%zu voxels", c);
    return RAD_OK;
}

static rad_status disk_make(const box_work *w, double radius_mm, box_disk *disk,
                            rad_error *error)
{
    int rx = (int)floor(radius_mm / w->spacing[0] + 1e-9);
    int ry = (int)floor(radius_mm / w->spacing[1] + 1e-9);
    size_t k = 0;

    disk->offsets = malloc((size_t)(2 * rx + 1) * (size_t)(2 * ry + 1) * sizeof *disk->offsets);
    if (disk->offsets == NULL)
        return ri_fail(error, RAD_ERR_NO_MEMORY, "box mask: cannot allocate a disk of "
                       "radius %g mm", radius_mm);
    for (int dy = -ry; dy <= ry; dy++)
        for (int dx = -rx; dx <= rx; dx++) {
            double x = dx * w->spacing[0], y = dy * w->spacing[1];
            if (x * x + y * y <= radius_mm * radius_mm + 1e-9) {
                disk->offsets[k][0] = dx;
                disk->offsets[k][1] = dy;
                k++;
            }
        }
    disk->count = k;
    return RAD_OK;
}

/* dst = in-plane dilation of src by disk; src and dst are 0/1 arrays. */
static void dilate(const box_work *w, const box_disk *disk, const uint8_t *src, uint8_t *dst)
{
    long nx = (long)w->n[0], ny = (long)w->n[1];

    memset(dst, 0, w->count);
    for (size_t z = 0; z < w->n[2]; z++)
        for (long y = 0; y < ny; y++)
            for (long x = 0; x < nx; x++) {
                size_t v = (size_t)x + (size_t)nx * ((size_t)y + (size_t)ny * z);
                if (!src[v])
                    continue;
                for (size_t k = 0; k < disk->count; k++) {
                    long xx = x + disk->offsets[k][0], yy = y + disk->offsets[k][1];
                    if (xx >= 0 && xx < nx && yy >= 0 && yy < ny)
                        dst[(size_t)xx + (size_t)nx * ((size_t)yy + (size_t)ny * z)] = 1;
                }
            }
}

/* dst = in-plane erosion of src by disk. Offsets that leave the region are
 * ignored, so a structure cut by the region's edge is not eroded from there. */
static void erode(const box_work *w, const box_disk *disk, const uint8_t *src, uint8_t *dst)
{
    long nx = (long)w->n[0], ny = (long)w->n[1];

    for (size_t z = 0; z < w->n[2]; z++)
        for (long y = 0; y < ny; y++)
            for (long x = 0; x < nx; x++) {
                size_t v = (size_t)x + (size_t)nx * ((size_t)y + (size_t)ny * z);
                uint8_t inside = src[v];
                for (size_t k = 0; inside && k < disk->count; k++) {
                    long xx = x + disk->offsets[k][0], yy = y + disk->offsets[k][1];
                    if (xx >= 0 && xx < nx && yy >= 0 && yy < ny &&
                        !src[(size_t)xx + (size_t)nx * ((size_t)yy + (size_t)ny * z)])
                        inside = 0;
                }
                dst[v] = inside;
            }
}

/*
 * Breadth-first search from seed over voxels with member[v] != 0 and
 * seen[v] == 0, through 6 or 26 neighbours. Marks them seen and leaves them
 * in w->queue[0 .. return value - 1].
 */
static size_t grow(box_work *w, const uint8_t *member, size_t seed, int connectivity)
{
    size_t nx = w->n[0], ny = w->n[1], nz = w->n[2], head = 0, tail = 0;

    w->seen[seed] = 1;
    w->queue[tail++] = seed;
    while (head < tail) {
        size_t v = w->queue[head++];
        size_t x = v % nx, y = (v / nx) % ny, z = v / (nx * ny);
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int steps = abs(dx) + abs(dy) + abs(dz);
                    if (steps == 0 || (connectivity == 6 && steps != 1))
                        continue;
                    if ((dx < 0 && x == 0) || (dx > 0 && x + 1 == nx) || (dy < 0 && y == 0) ||
                        (dy > 0 && y + 1 == ny) || (dz < 0 && z == 0) || (dz > 0 && z + 1 == nz))
                        continue;
                    size_t u = (size_t)((long)v + dx + (long)nx * (dy + (long)ny * dz));
                    if (member[u] && !w->seen[u]) {
                        w->seen[u] = 1;
                        w->queue[tail++] = u;
                    }
                }
    }
    return tail;
}

/* 1 when voxel v lies on a face of the work region. */
static int on_region_edge(const box_work *w, size_t v)
{
    size_t x = v % w->n[0], y = (v / w->n[0]) % w->n[1], z = v / (w->n[0] * w->n[1]);
    return x == 0 || y == 0 || z == 0 || x + 1 == w->n[0] || y + 1 == w->n[1] ||
           z + 1 == w->n[2];
}

/*
 * Finds the work region (cube bounding box plus margin, clamped to the image)
 * and copies the image values into it. Returns RAD_ERR_OUTSIDE when the cube
 * misses the image.
 */
static rad_status work_region(const rad_volume *image, const double center[3], double half,
                              double margin_mm, box_work *w, rad_error *error)
{
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};

    for (int corner = 0; corner < 8; corner++) {
        double world[3], ijk[3];
        for (int a = 0; a < 3; a++)
            world[a] = center[a] + ((corner >> a) & 1 ? half : -half);
        rad_volume_world_to_index(image, world, ijk);
        for (int a = 0; a < 3; a++) {
            lo[a] = fmin(lo[a], ijk[a]);
            hi[a] = fmax(hi[a], ijk[a]);
        }
    }

    w->count = 1;
    for (int a = 0; a < 3; a++) {
        double m = ceil(margin_mm / image->spacing[a]);
        double first = ceil(lo[a] - 1e-6), last = floor(hi[a] + 1e-6);
        if (!isfinite(first) || !isfinite(last) || last < 0 ||
            first > (double)image->size[a] - 1 || first > last)
            return ri_fail(error, RAD_ERR_OUTSIDE, "box mask: the %g mm cube centred on "
                           "(%g, %g, %g) mm does not overlap the image (axis %d: voxel "
                           "index %g..%g, image has 0..%zu)", 2 * half, center[0], center[1],
                           center[2], a, lo[a], hi[a], image->size[a] - 1);
        first = fmax(first - m, 0.0);
        last = fmin(last + m, (double)image->size[a] - 1);
        w->lo[a] = (size_t)first;
        w->n[a] = (size_t)(last - first) + 1;
        w->spacing[a] = image->spacing[a];
        w->count *= w->n[a];
    }
    w->voxel_mm3 = w->spacing[0] * w->spacing[1] * w->spacing[2];
    return work_alloc(w, error);
}

/* Copies the image values and flags voxels whose centres lie in the cube;
 * returns how many do. The cube test is done in world space. */
static size_t mark_cube(const rad_volume *image, const double center[3], double half,
                        box_work *w)
{
    const double *d = image->direction;
    double tol = 1e-9 * (1.0 + half);
    size_t inside = 0, v = 0;

    for (size_t z = 0; z < w->n[2]; z++)
        for (size_t y = 0; y < w->n[1]; y++)
            for (size_t x = 0; x < w->n[0]; x++, v++) {
                size_t ijk[3] = {x + w->lo[0], y + w->lo[1], z + w->lo[2]};
                int in = 1;
                w->hu[v] = (float)image->data[ri_index(image, ijk[0], ijk[1], ijk[2])];
                for (int r = 0; r < 3 && in; r++) {
                    double world = image->origin[r];
                    for (int c = 0; c < 3; c++)
                        world += d[3 * r + c] * image->spacing[c] * (double)ijk[c];
                    in = fabs(world - center[r]) <= half + tol;
                }
                if (in) {
                    w->flags[v] |= F_CUBE;
                    inside++;
                }
            }
    return inside;
}

/* 3 x 3 in-plane mean (edge voxels average their in-region neighbours). */
static void smooth_in_plane(box_work *w)
{
    size_t nx = w->n[0], ny = w->n[1];

    for (size_t z = 0; z < w->n[2]; z++)
        for (size_t y = 0; y < ny; y++)
            for (size_t x = 0; x < nx; x++) {
                double sum = 0;
                int k = 0;
                for (size_t yy = y ? y - 1 : 0; yy <= y + 1 && yy < ny; yy++)
                    for (size_t xx = x ? x - 1 : 0; xx <= x + 1 && xx < nx; xx++) {
                        sum += w->hu[xx + nx * (yy + ny * z)];
                        k++;
                    }
                w->smooth[x + nx * (y + ny * z)] = (float)(sum / k);
            }
}

/*
 * No data and air. A 6-connected region of values <= box_nodata_value that
 * touches the work region's faces is outside the reconstruction field; real
 * air is every other voxel at or below the air threshold.
 */
static void mark_nodata_and_air(const ri_settings *s, box_work *w)
{
    for (size_t v = 0; v < w->count; v++)
        w->set[v] = w->hu[v] <= s->box_nodata_value;
    memset(w->seen, 0, w->count);
    for (size_t v = 0; v < w->count; v++) {
        if (!w->set[v] || w->seen[v] || !on_region_edge(w, v))
            continue;
        size_t len = grow(w, w->set, v, 6);
        for (size_t k = 0; k < len; k++)
            w->flags[w->queue[k]] |= F_NODATA;
    }
    for (size_t v = 0; v < w->count; v++)
        if (!(w->flags[v] & F_NODATA) && w->hu[v] <= s->box_air_threshold)
            w->flags[v] |= F_AIR;
}

/*
 * Body: voxels above the air threshold, with in-plane holes (gas enclosed in
 * a slice) filled, then the 6-connected parts that hold the cube's centre
 * voxel or at least box_body_min_fraction of the largest part's cube voxels.
 */
static void mark_body(const ri_settings *s, const size_t center_voxel, box_work *w)
{
    size_t nx = w->n[0], ny = w->n[1], plane = nx * ny;
    size_t best = 0;

    /* w->set: outside candidates; per slice, those 4-connected to the border
     * stay outside, the rest are holes. Done with 2-D searches on w->set2. */
    for (size_t v = 0; v < w->count; v++)
        w->set[v] = w->hu[v] <= s->box_air_threshold || (w->flags[v] & F_NODATA);
    memset(w->set2, 0, w->count);
    for (size_t z = 0; z < w->n[2]; z++) {
        size_t base = z * plane, head = 0, tail = 0;
        for (size_t y = 0; y < ny; y++)
            for (size_t x = 0; x < nx; x++) {
                size_t v = base + x + nx * y;
                if ((x == 0 || y == 0 || x + 1 == nx || y + 1 == ny) && w->set[v] &&
                    !w->set2[v]) {
                    w->set2[v] = 1;
                    w->queue[tail++] = v;
                }
            }
        while (head < tail) {
            size_t v = w->queue[head++], x = v % nx, y = (v / nx) % ny;
            size_t next[4];
            int k = 0;
            if (x > 0) next[k++] = v - 1;
            if (x + 1 < nx) next[k++] = v + 1;
            if (y > 0) next[k++] = v - nx;
            if (y + 1 < ny) next[k++] = v + nx;
            for (int i = 0; i < k; i++)
                if (w->set[next[i]] && !w->set2[next[i]]) {
                    w->set2[next[i]] = 1;
                    w->queue[tail++] = next[i];
                }
        }
    }
    for (size_t v = 0; v < w->count; v++)
        w->set[v] = !w->set2[v]; /* filled body candidates */

    /* First pass: the largest cube share of a part; second pass: keep. */
    for (int pass = 0; pass < 2; pass++) {
        memset(w->seen, 0, w->count);
        for (size_t v = 0; v < w->count; v++) {
            if (!w->set[v] || w->seen[v])
                continue;
            size_t len = grow(w, w->set, v, 6), in_cube = 0;
            int holds_center = 0;
            for (size_t k = 0; k < len; k++) {
                in_cube += (w->flags[w->queue[k]] & F_CUBE) != 0;
                holds_center |= w->queue[k] == center_voxel;
            }
            if (pass == 0) {
                if (in_cube > best)
                    best = in_cube;
                continue;
            }
            if (in_cube == 0)
                continue;
            if (holds_center || (double)in_cube >= s->box_body_min_fraction * (double)best)
                for (size_t k = 0; k < len; k++)
                    w->flags[w->queue[k]] |= F_BODY;
        }
    }
}

/*
 * Depth: distance in mm from each voxel to the nearest real-air voxel, by a
 * two-pass chamfer transform over the 26 neighbours with Euclidean step
 * lengths, which overestimates the Euclidean distance slightly. Infinite
 * when the region contains no real air.
 */
static void compute_depth(box_work *w)
{
    long nx = (long)w->n[0], ny = (long)w->n[1], nz = (long)w->n[2];
    long offset[13];
    int step[13][3];
    float length[13];
    int count = 0;

    /* The 13 neighbours that precede a voxel in scan order, with their
     * Euclidean step lengths. */
    for (int dz = -1; dz <= 0; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                if (dz == 0 && (dy > 0 || (dy == 0 && dx >= 0)))
                    continue;
                double ex = dx * w->spacing[0], ey = dy * w->spacing[1], ez = dz * w->spacing[2];
                step[count][0] = dx;
                step[count][1] = dy;
                step[count][2] = dz;
                offset[count] = dx + nx * (dy + ny * dz);
                length[count] = (float)sqrt(ex * ex + ey * ey + ez * ez);
                count++;
            }

    for (size_t v = 0; v < w->count; v++)
        w->depth[v] = (w->flags[v] & F_AIR) ? 0.0f : INFINITY;
    for (int pass = 0; pass < 2; pass++) {
        int sign = pass == 0 ? 1 : -1;
        for (long zi = 0; zi < nz; zi++)
            for (long yi = 0; yi < ny; yi++)
                for (long xi = 0; xi < nx; xi++) {
                    long x = sign > 0 ? xi : nx - 1 - xi;
                    long y = sign > 0 ? yi : ny - 1 - yi;
                    long z = sign > 0 ? zi : nz - 1 - zi;
                    long v = x + nx * (y + ny * z);
                    int interior = x > 0 && y > 0 && z > 0 && x < nx - 1 && y < ny - 1 &&
                                   z < nz - 1;
                    float best = w->depth[v];
                    for (int n = 0; n < count; n++) {
                        if (!interior) {
                            long xx = x + sign * step[n][0], yy = y + sign * step[n][1];
                            long zz = z + sign * step[n][2];
                            if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz)
                                continue;
                        }
                        float cand = w->depth[v + sign * offset[n]] + length[n];
                        if (cand < best)
                            best = cand;
                    }
                    w->depth[v] = best;
                }
    }
}

/*
 * Muscle: body voxels whose smoothed value lies in the muscle range, opened
 * in-plane by box_muscle_core_mm (thin skin, fascia and stranding sheets
 * vanish), keeping the 6-connected core parts of at least
 * box_muscle_min_volume that reach box_muscle_min_depth below the skin; the
 * result is closed in-plane by box_septum_mm so that thin fat septa between
 * muscles are not reached from the skin.
 */
static rad_status mark_muscle(const ri_settings *s, box_work *w, rad_error *error)
{
    box_disk core = {0}, septum = {0};
    rad_status st;
    uint8_t *soft = w->set, *eroded = w->set2;

    for (size_t v = 0; v < w->count; v++)
        soft[v] = (w->flags[v] & F_BODY) && w->smooth[v] >= s->box_muscle_min &&
                  w->smooth[v] <= s->box_muscle_max;
    st = disk_make(w, s->box_muscle_core_mm, &core, error);
    if (st == RAD_OK)
        st = disk_make(w, s->box_septum_mm, &septum, error);
    if (st != RAD_OK) {
        free(core.offsets);
        return st;
    }
    erode(w, &core, soft, eroded);

    /* Drop small or shallow core parts; w->set then receives the kept core. */
    memset(w->seen, 0, w->count);
    memset(soft, 0, w->count);
    for (size_t v = 0; v < w->count; v++) {
        if (!eroded[v] || w->seen[v])
            continue;
        size_t len = grow(w, eroded, v, 6);
        float deepest = 0.0f;
        for (size_t k = 0; k < len; k++)
            deepest = fmaxf(deepest, w->depth[w->queue[k]]);
        if ((double)len * w->voxel_mm3 >= s->box_muscle_min_volume &&
            deepest >= s->box_muscle_min_depth)
            for (size_t k = 0; k < len; k++)
                soft[w->queue[k]] = 1;
    }

    /* Opening: grow the core back within the soft-tissue range. */
    dilate(w, &core, soft, eroded);
    for (size_t v = 0; v < w->count; v++)
        eroded[v] = eroded[v] && (w->flags[v] & F_BODY) && w->smooth[v] >= s->box_muscle_min &&
                    w->smooth[v] <= s->box_muscle_max;

    /* Closing by the septum disk. */
    dilate(w, &septum, eroded, soft);
    erode(w, &septum, soft, w->seen);
    for (size_t v = 0; v < w->count; v++)
        if ((eroded[v] || w->seen[v]) && (w->flags[v] & F_BODY))
            w->flags[v] |= F_MUSCLE;

    free(core.offsets);
    free(septum.offsets);
    return RAD_OK;
}

/*
 * Fills, slice by slice, the in-plane holes of the voxels flagged `flag`
 * (regions not 4-connected to the region's border through unflagged voxels)
 * and flags them too: marrow inside cortex.
 */
static void fill_holes_in_plane(box_work *w, uint8_t flag)
{
    size_t nx = w->n[0], ny = w->n[1], plane = nx * ny;
    uint8_t *outside = w->set2;

    memset(outside, 0, w->count);
    for (size_t z = 0; z < w->n[2]; z++) {
        size_t head = 0, tail = 0;
        for (size_t y = 0; y < ny; y++)
            for (size_t x = 0; x < nx; x++) {
                size_t v = z * plane + x + nx * y;
                if ((x == 0 || y == 0 || x + 1 == nx || y + 1 == ny) && !(w->flags[v] & flag)) {
                    outside[v] = 1;
                    w->queue[tail++] = v;
                }
            }
        while (head < tail) {
            size_t v = w->queue[head++], x = v % nx, y = (v / nx) % ny;
            size_t next[4];
            int k = 0;
            if (x > 0) next[k++] = v - 1;
            if (x + 1 < nx) next[k++] = v + 1;
            if (y > 0) next[k++] = v - nx;
            if (y + 1 < ny) next[k++] = v + nx;
            for (int i = 0; i < k; i++)
                if (!outside[next[i]] && !(w->flags[next[i]] & flag)) {
                    outside[next[i]] = 1;
                    w->queue[tail++] = next[i];
                }
        }
    }
    for (size_t v = 0; v < w->count; v++)
        if (!outside[v] && (w->flags[v] & F_BODY))
            w->flags[v] |= flag;
}

/*
 * near[v] = 1 for bright voxels at most reach_mm from a core voxel along
 * 6-connected paths through bright voxels (path length in mm, each step
 * counting its spacing; breadth-first by steps, so an estimate).
 */
static void reach_from_core(box_work *w, const uint8_t *bright, const uint8_t *core,
                            double reach_mm, uint8_t *near)
{
    size_t nx = w->n[0], ny = w->n[1], plane = nx * ny, head = 0, tail = 0;
    memset(near, 0, w->count);
    for (size_t v = 0; v < w->count; v++)
        if (core[v]) {
            near[v] = 1;
            w->reach[v] = 0.0f;
            w->queue[tail++] = v;
        }
    while (head < tail) {
        size_t v = w->queue[head++], x = v % nx, y = (v / nx) % ny, z = v / plane;
        size_t next[6];
        float step[6];
        int k = 0;
        if (x > 0) { next[k] = v - 1; step[k++] = (float)w->spacing[0]; }
        if (x + 1 < nx) { next[k] = v + 1; step[k++] = (float)w->spacing[0]; }
        if (y > 0) { next[k] = v - nx; step[k++] = (float)w->spacing[1]; }
        if (y + 1 < ny) { next[k] = v + nx; step[k++] = (float)w->spacing[1]; }
        if (z > 0) { next[k] = v - plane; step[k++] = (float)w->spacing[2]; }
        if (z + 1 < w->n[2]) { next[k] = v + plane; step[k++] = (float)w->spacing[2]; }
        for (int i = 0; i < k; i++) {
            float d = w->reach[v] + step[i];
            if (bright[next[i]] && !near[next[i]] && d <= reach_mm) {
                near[next[i]] = 1;
                w->reach[next[i]] = d;
                w->queue[tail++] = next[i];
            }
        }
    }
}

/*
 * Bone. Bright voxels are body voxels >= box_bone_min, in 6-connected
 * components. A component with a thick part (what survives an in-plane
 * erosion by box_bone_core_mm) is bone within box_bone_reach_mm of that part.
 * Beyond the reach, each 6-connected piece stays only when it looks like a
 * vessel branch: at least box_vessel_fat_fraction of its non-bright
 * 6-neighbours lie below box_muscle_min, and it is smaller than
 * box_bone_min_volume. A component without a thick part is bone when it has
 * at least box_bone_min_volume (thin cortex), else a calcified vessel. The
 * bone's partial-volume rim and its in-plane holes (marrow) are removed with it.
 */
static rad_status mark_bone(const ri_settings *s, box_work *w, rad_error *error)
{
    box_disk core = {0};
    uint8_t *bright = w->set, *thick = w->set2;
    size_t nx = w->n[0], plane = w->n[0] * w->n[1];
    uint8_t *near_core = malloc(w->count), *rest = calloc(w->count, 1);
    rad_status st;

    if (near_core == NULL || rest == NULL) {
        free(near_core);
        free(rest);
        return ri_fail(error, RAD_ERR_NO_MEMORY, "box mask: cannot allocate %zu bytes",
                       2 * w->count);
    }
    st = disk_make(w, s->box_bone_core_mm, &core, error);
    if (st != RAD_OK) {
        free(core.offsets);
        free(near_core);
        free(rest);
        return st;
    }
    for (size_t v = 0; v < w->count; v++)
        bright[v] = (w->flags[v] & F_BODY) && w->hu[v] >= s->box_bone_min;
    erode(w, &core, bright, thick);
    reach_from_core(w, bright, thick, s->box_bone_reach_mm, near_core);

    memset(w->seen, 0, w->count);
    for (size_t v = 0; v < w->count; v++) {
        if (!bright[v] || w->seen[v])
            continue;
        size_t len = grow(w, bright, v, 6);
        int has_core = 0;
        for (size_t k = 0; k < len && !has_core; k++)
            has_core = thick[w->queue[k]];
        for (size_t k = 0; k < len; k++) {
            size_t u = w->queue[k];
            if (has_core && near_core[u])
                w->flags[u] |= F_BONE;
            else
                rest[u] = has_core ? 2 : 1;
        }
    }

    /* rest = 2 marks pieces beyond the reach of a thick part, rest = 1 the
     * components without one. */
    memset(w->seen, 0, w->count);
    for (size_t v = 0; v < w->count; v++) {
        if (!rest[v] || w->seen[v])
            continue;
        size_t len = grow(w, rest, v, 6);
        size_t around = 0, fat = 0;
        for (size_t k = 0; k < len; k++) {
            size_t u = w->queue[k], x = u % nx, y = (u / nx) % w->n[1], z = u / plane;
            size_t next[6];
            int m = 0;
            if (x > 0) next[m++] = u - 1;
            if (x + 1 < nx) next[m++] = u + 1;
            if (y > 0) next[m++] = u - nx;
            if (y + 1 < w->n[1]) next[m++] = u + nx;
            if (z > 0) next[m++] = u - plane;
            if (z + 1 < w->n[2]) next[m++] = u + plane;
            for (int i = 0; i < m; i++) {
                if (bright[next[i]])
                    continue;
                around++;
                fat += w->hu[next[i]] < s->box_muscle_min;
            }
        }
        double fat_fraction = around ? (double)fat / (double)around : 0.0;
        int is_bone = (double)len * w->voxel_mm3 >= s->box_bone_min_volume ||
                      (rest[v] == 2 && fat_fraction < s->box_vessel_fat_fraction);
        if (is_bone)
            for (size_t k = 0; k < len; k++)
                w->flags[w->queue[k]] |= F_BONE;
    }

    /* The rim: one 6-neighbour step, voxels above the muscle range only. */
    memset(thick, 0, w->count);
    for (size_t v = 0; v < w->count; v++) {
        if (!(w->flags[v] & F_BONE))
            continue;
        size_t x = v % nx, y = (v / nx) % w->n[1], z = v / plane;
        if (x > 0) thick[v - 1] = 1;
        if (x + 1 < nx) thick[v + 1] = 1;
        if (y > 0) thick[v - nx] = 1;
        if (y + 1 < w->n[1]) thick[v + nx] = 1;
        if (z > 0) thick[v - plane] = 1;
        if (z + 1 < w->n[2]) thick[v + plane] = 1;
    }
    for (size_t v = 0; v < w->count; v++)
        if (thick[v] && (w->flags[v] & F_BODY) && w->hu[v] > s->box_muscle_max)
            w->flags[v] |= F_BONE;
    fill_holes_in_plane(w, F_BONE);

    free(core.offsets);
    free(near_core);
    free(rest);
    return RAD_OK;
}

/*
 * Skin edge: voxels outside the body but above box_skin_edge_min that are
 * 6-neighbours of kept voxels, the partial-volume surface of the skin.
 */
static void mark_skin_edge(const ri_settings *s, box_work *w)
{
    size_t nx = w->n[0], plane = w->n[0] * w->n[1];
    uint8_t *edge = w->set2;

    memset(edge, 0, w->count);
    for (size_t v = 0; v < w->count; v++) {
        if ((w->flags[v] & (F_BODY | F_NODATA)) || !(w->hu[v] > s->box_skin_edge_min))
            continue;
        size_t x = v % nx, y = (v / nx) % w->n[1], z = v / plane;
        edge[v] = (x > 0 && (w->flags[v - 1] & F_KEPT)) ||
                  (x + 1 < nx && (w->flags[v + 1] & F_KEPT)) ||
                  (y > 0 && (w->flags[v - nx] & F_KEPT)) ||
                  (y + 1 < w->n[1] && (w->flags[v + nx] & F_KEPT)) ||
                  (z > 0 && (w->flags[v - plane] & F_KEPT)) ||
                  (z + 1 < w->n[2] && (w->flags[v + plane] & F_KEPT));
    }
    for (size_t v = 0; v < w->count; v++)
        if (edge[v])
            w->flags[v] |= F_KEPT;
}

/*
 * Subcutaneous tissue: body voxels that are neither muscle nor bone and are
 * 6-connected to the skin (body voxels with a real-air 6-neighbour) through
 * such voxels. When the region contains no real air, every fat-range voxel
 * that is neither muscle nor bone seeds the search instead.
 */
static void mark_kept(const ri_settings *s, box_work *w)
{
    size_t nx = w->n[0], plane = w->n[0] * w->n[1];
    uint8_t *allowed = w->set;
    int any_air = 0;

    for (size_t v = 0; v < w->count; v++) {
        allowed[v] = (w->flags[v] & (F_BODY | F_MUSCLE | F_BONE)) == F_BODY;
        any_air |= (w->flags[v] & F_AIR) != 0;
    }
    memset(w->seen, 0, w->count);
    for (size_t v = 0; v < w->count; v++) {
        if (!allowed[v] || w->seen[v])
            continue;
        int seed;
        if (any_air) {
            size_t x = v % nx, y = (v / nx) % w->n[1], z = v / plane;
            seed = (x > 0 && (w->flags[v - 1] & F_AIR)) ||
                   (x + 1 < nx && (w->flags[v + 1] & F_AIR)) ||
                   (y > 0 && (w->flags[v - nx] & F_AIR)) ||
                   (y + 1 < w->n[1] && (w->flags[v + nx] & F_AIR)) ||
                   (z > 0 && (w->flags[v - plane] & F_AIR)) ||
                   (z + 1 < w->n[2] && (w->flags[v + plane] & F_AIR));
        } else {
            seed = w->smooth[v] >= s->box_fat_min && w->smooth[v] <= s->box_fat_max;
        }
        if (!seed)
            continue;
        size_t len = grow(w, allowed, v, 6);
        for (size_t k = 0; k < len; k++)
            w->flags[w->queue[k]] |= F_KEPT;
    }
}

static rad_status check_settings(const ri_settings *s, rad_error *error)
{
    if (!(s->box_fat_min <= s->box_fat_max) || !(s->box_muscle_min <= s->box_muscle_max))
        return ri_fail(error, RAD_ERR_PARAMETER, "box mask: fat range %g..%g HU or muscle "
                       "range %g..%g HU is empty; expected min <= max", s->box_fat_min,
                       s->box_fat_max, s->box_muscle_min, s->box_muscle_max);
    if (!(s->box_margin_mm >= 0 && s->box_margin_mm <= 1000) ||
        !(s->box_muscle_core_mm >= 0 && s->box_muscle_core_mm <= 50) ||
        !(s->box_septum_mm >= 0 && s->box_septum_mm <= 50) ||
        !(s->box_bone_core_mm >= 0 && s->box_bone_core_mm <= 50))
        return ri_fail(error, RAD_ERR_PARAMETER, "box mask: margin %g mm, muscle core %g mm, "
                       "septum %g mm or bone core %g mm out of range; expected margin "
                       "0..1000 mm and radii 0..50 mm", s->box_margin_mm,
                       s->box_muscle_core_mm, s->box_septum_mm, s->box_bone_core_mm);
    return RAD_OK;
}

/*
 * Runs every segmentation step on the work region of the cube. On success the
 * mask is the voxels whose w->flags contain F_CUBE and F_KEPT. The caller frees w.
 */
static rad_status box_segment(const ri_settings *settings, const rad_volume *image,
                              const double center[3], double size_mm, box_work *w,
                              rad_error *error)
{
    double half = size_mm / 2;
    double center_ijk[3];
    size_t center_voxel = (size_t)-1;
    rad_status st;

    st = work_region(image, center, half, settings->box_margin_mm, w, error);
    if (st != RAD_OK)
        return st;
    if (mark_cube(image, center, half, w) == 0)
        return ri_fail(error, RAD_ERR_OUTSIDE, "box mask: no voxel centre lies in the %g mm "
                       "cube centred on (%g, %g, %g) mm", size_mm, center[0], center[1],
                       center[2]);
    rad_volume_world_to_index(image, center, center_ijk);
    {
        double r[3];
        int inside = 1;
        for (int a = 0; a < 3; a++) {
            r[a] = floor(center_ijk[a] + 0.5) - (double)w->lo[a];
            inside &= r[a] >= 0 && r[a] < (double)w->n[a];
        }
        if (inside)
            center_voxel = (size_t)r[0] + w->n[0] * ((size_t)r[1] + w->n[1] * (size_t)r[2]);
    }

    smooth_in_plane(w);
    mark_nodata_and_air(settings, w);
    mark_body(settings, center_voxel, w);
    compute_depth(w);
    st = mark_muscle(settings, w, error);
    if (st == RAD_OK)
        st = mark_bone(settings, w, error);
    if (st != RAD_OK)
        return st;
    mark_kept(settings, w);
    mark_skin_edge(settings, w);
    return RAD_OK;
}

rad_status ri_box_mask(const ri_settings *settings, const rad_volume *image,
                       const double center[3], double size_mm, rad_volume **out,
                       rad_error *error)
{
    box_work w = {0};
    rad_volume *mask = NULL;
    size_t kept = 0;
    rad_status st;

    if (settings == NULL || image == NULL || center == NULL || out == NULL)
        return ri_fail(error, RAD_ERR_ARGUMENT, "box mask: NULL argument");
    if (!(size_mm > 0) || !isfinite(size_mm))
        return ri_fail(error, RAD_ERR_ARGUMENT, "box mask: size %g mm is invalid; expected a "
                       "finite size > 0", size_mm);
    if (!isfinite(center[0]) || !isfinite(center[1]) || !isfinite(center[2]))
        return ri_fail(error, RAD_ERR_ARGUMENT, "box mask: centre (%g, %g, %g) is not finite",
                       center[0], center[1], center[2]);
    st = check_settings(settings, error);
    if (st != RAD_OK)
        return st;

    st = box_segment(settings, image, center, size_mm, &w, error);
    if (st != RAD_OK)
        goto done;
    st = ri_volume_like(image, &mask, error);
    if (st != RAD_OK)
        goto done;
    for (size_t z = 0, v = 0; z < w.n[2]; z++)
        for (size_t y = 0; y < w.n[1]; y++)
            for (size_t x = 0; x < w.n[0]; x++, v++)
                if ((w.flags[v] & (F_CUBE | F_KEPT)) == (F_CUBE | F_KEPT)) {
                    mask->data[ri_index(mask, x + w.lo[0], y + w.lo[1], z + w.lo[2])] = 1.0;
                    kept++;
                }
    if (kept == 0) {
        rad_volume_free(mask);
        st = ri_fail(error, RAD_ERR_EMPTY_ROI, "box mask: no subcutaneous tissue found in the "
                     "%g mm cube centred on (%g, %g, %g) mm", size_mm, center[0], center[1],
                     center[2]);
        goto done;
    }
    *out = mask;

done:
    work_free(&w);
    return st;
}

rad_status rad_box_mask(const rad_params *params, const rad_volume *image,
                        const double center[3], double size_mm, rad_volume **out,
                        rad_error *error)
{
    ri_settings defaults;

    if (params != NULL)
        return ri_box_mask(&params->s, image, center, size_mm, out, error);
    memset(&defaults, 0, sizeof defaults);
    ri_box_defaults(&defaults);
    return ri_box_mask(&defaults, image, center, size_mm, out, error);
}
