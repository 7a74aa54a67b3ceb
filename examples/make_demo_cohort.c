/*
 * make_demo_cohort.c - writes a synthetic cohort of limb-like CT volumes and
 * its manifest, so that `calci study` can run without real data.
 *
 *   make_demo_cohort OUTDIR [--cases N] [--seed S]
 *
 * Writes OUTDIR/images/<case>.nii.gz (HU as float32) and OUTDIR/manifest.csv
 * (case_id, patient_id, label, group, image, box_x, box_y, box_z, box_size,
 * cmp_radiograph, cmp_scintigraphy). Each patient has 2 or 3 boxes; about
 * half of the boxes (label 1, group I) get a simulated calciphylaxis lesion
 * under the box centre, the others (label 0, group III) normal fat. The same
 * seed gives the same files. Prints nothing unless an error occurs.
 *
 * Volume: 100 x 100 x 40 voxels of 1 x 1 x 2.5 mm, a limb along z: air
 * (-1000), skin (2 mm, +30..+50 HU), subcutaneous fat (-120..-80 HU, 10-20 mm),
 * fascia (+60 HU, 1 mm), muscle (+40 HU), bone cortex (+1000 HU) and marrow
 * (-60 HU), plus Gaussian noise of 8-18 HU (per patient) smoothed over neighbouring
 * voxels. The lesion, scaled by a strength s in [0.05, 1]: up to 8 calcified
 * small vessels (thin branching tubes, up to +850 HU), a net of fat stranding
 * raised by up to 5 + 50 s HU, and skin thickening of up to 2 s mm.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "radiomics.h"

#define NX 100
#define NY 100
#define NZ 40
#define SPACING_Z 2.5
#define BOX_MM 50.0

/* splitmix64: a small deterministic generator, the same on every platform. */
typedef struct rng {
    uint64_t state;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_range(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_uniform(r);
}

/* Standard normal by the Box-Muller transform. */
static double rng_normal(rng *r)
{
    double u = 1.0 - rng_uniform(r), v = rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Anatomy of one patient, shared by its boxes. */
typedef struct patient {
    double cx, cy;          /* limb axis, mm */
    double skin_radius;     /* mm */
    double fat_thickness;   /* mm */
    double bone_dx, bone_dy; /* bone centre offset from the axis, mm */
    double bone_radius, cortex;
    double skin_hu;
    double fat_hu;          /* mean HU of this patient's fat */
    double noise_hu;        /* image noise SD of this patient's scans */
} patient;

/* One box: its centre and, for a lesion, its parameters. */
typedef struct box {
    double center[3];       /* mm */
    double angle;           /* direction from the limb axis, radians */
    int label;
} box;

static size_t voxel(size_t i, size_t j, size_t k)
{
    return i + NX * (j + (size_t)NY * k);
}

/* Normal tissue by the distance r from the limb axis (in-plane). */
static double tissue_hu(const patient *p, double x, double y)
{
    double r = hypot(x - p->cx, y - p->cy);
    double rb = hypot(x - p->cx - p->bone_dx, y - p->cy - p->bone_dy);
    double fat_inner = p->skin_radius - 2.0 - p->fat_thickness;

    if (r > p->skin_radius)
        return -1000.0;
    if (r > p->skin_radius - 2.0)
        return p->skin_hu;
    if (r > fat_inner)
        return p->fat_hu;
    if (r > fat_inner - 1.0)
        return 60.0; /* fascia */
    if (rb < p->bone_radius - p->cortex)
        return -60.0; /* fatty marrow */
    if (rb < p->bone_radius)
        return 1000.0;
    return 40.0;
}

/* Fat voxel of the patient's normal anatomy (lesions only change fat). */
static int is_fat(const patient *p, double x, double y)
{
    double r = hypot(x - p->cx, y - p->cy);
    return r <= p->skin_radius - 2.0 && r > p->skin_radius - 2.0 - p->fat_thickness;
}

/* Draws a tube of radius rad along a persistent random walk in the fat,
 * mostly tangential to the skin, setting voxels to hu (keeping the larger
 * value). Branches once with probability 0.5, recursion depth <= 1. */
static void draw_vessel(const patient *p, double *data, rng *r, double x, double y, double z,
                        double length, double rad, double hu, int depth)
{
    double angle = atan2(y - p->cy, x - p->cx) + M_PI / 2 * (rng_uniform(r) < 0.5 ? 1 : -1);
    double dx = cos(angle), dy = sin(angle), dz = rng_range(r, -0.4, 0.4);

    for (double s = 0; s < length; s += 0.5) {
        if (depth == 0 && s > length / 3 && s < length / 3 + 0.5 && rng_uniform(r) < 0.5)
            draw_vessel(p, data, r, x, y, z, length / 2, rad * 0.8, hu * 0.9, depth + 1);
        for (int k = (int)floor((z - rad) / SPACING_Z); k <= (int)ceil((z + rad) / SPACING_Z); k++)
            for (int j = (int)floor(y - rad); j <= (int)ceil(y + rad); j++)
                for (int i = (int)floor(x - rad); i <= (int)ceil(x + rad); i++) {
                    if (i < 0 || j < 0 || k < 0 || i >= NX || j >= NY || k >= NZ)
                        continue;
                    double ex = i - x, ey = j - y, ez = k * SPACING_Z - z;
                    if (ex * ex + ey * ey + ez * ez > rad * rad || !is_fat(p, i, j))
                        continue;
                    size_t v = voxel((size_t)i, (size_t)j, (size_t)k);
                    if (data[v] < hu)
                        data[v] = hu;
                }
        /* persistent walk: small turns, pulled back towards the middle of the fat */
        double turn = rng_normal(r) * 0.15;
        double ndx = dx * cos(turn) - dy * sin(turn), ndy = dx * sin(turn) + dy * cos(turn);
        double rr = hypot(x - p->cx, y - p->cy), mid = p->skin_radius - 2 - p->fat_thickness / 2;
        ndx -= 0.05 * (rr - mid) * (x - p->cx) / rr;
        ndy -= 0.05 * (rr - mid) * (y - p->cy) / rr;
        double norm = hypot(ndx, ndy);
        dx = ndx / norm;
        dy = ndy / norm;
        x += 0.5 * dx;
        y += 0.5 * dy;
        z += 0.5 * dz;
    }
}

/*
 * Calciphylaxis-like changes in the fat around the box centre. A strength s
 * drawn from [0.05, 1] scales every component, from subtle (faint stranding,
 * no calcified vessel) to obvious, so that the demo study is not trivially
 * separable.
 */
static void add_lesion(const patient *p, const box *b, double *data, rng *r)
{
    double strength = rng_range(r, 0.05, 1.0);
    double radius = 10.0 + 10.0 * strength, amplitude = 5.0 + 50.0 * strength;
    double fx = rng_range(r, 0.25, 0.5), fy = rng_range(r, 0.25, 0.5), fz = rng_range(r, 0.2, 0.4);
    double px = rng_range(r, 0, 6.3), py = rng_range(r, 0, 6.3), pz = rng_range(r, 0, 6.3);
    double thickening = 2.0 * strength;

    /* stranding: thin sheets where a sum of waves is near zero; skin thickening */
    for (size_t k = 0; k < NZ; k++)
        for (size_t j = 0; j < NY; j++)
            for (size_t i = 0; i < NX; i++) {
                double x = (double)i, y = (double)j, z = (double)k * SPACING_Z;
                double d = sqrt((x - b->center[0]) * (x - b->center[0]) +
                                (y - b->center[1]) * (y - b->center[1]) +
                                (z - b->center[2]) * (z - b->center[2]));
                if (d > radius || !is_fat(p, x, y))
                    continue;
                double g = sin(fx * x + px) + sin(fy * y + py) + sin(fz * z + pz);
                double r_axis = hypot(x - p->cx, y - p->cy);
                size_t v = voxel(i, j, k);
                if (r_axis > p->skin_radius - 2.0 - thickening)
                    data[v] = p->skin_hu - 5.0;
                else if (fabs(g) < 0.25)
                    data[v] = p->fat_hu + amplitude * (1.0 - fabs(g) / 0.25);
            }

    int vessels = (int)(strength * 8.0 + rng_uniform(r));
    for (int n = 0; n < vessels; n++) {
        double a = b->angle + rng_range(r, -0.35, 0.35);
        double depth = rng_range(r, 3.0, p->fat_thickness - 2.0);
        double rr = p->skin_radius - 2.0 - depth;
        draw_vessel(p, data, r, p->cx + rr * cos(a), p->cy + rr * sin(a),
                    b->center[2] + rng_range(r, -12, 12), rng_range(r, 10, 30),
                    rng_range(r, 0.5, 1.0), 150.0 + 700.0 * strength * rng_range(r, 0.7, 1.0),
                    0);
    }
}

/* Gaussian noise of about sigma HU, correlated by a [1 2 1] / 4 filter
 * along x and then y. Each pass scales a white field's SD by
 * sqrt(6 / 16), so the two passes scale it by 6 / 16 = 0.375. */
static int add_noise(double *data, rng *r, double sigma)
{
    size_t n = (size_t)NX * NY * NZ;
    double *white = malloc(n * sizeof *white), *tmp = malloc(n * sizeof *tmp);

    if (white == NULL || tmp == NULL) {
        free(white);
        free(tmp);
        return -1;
    }
    for (size_t v = 0; v < n; v++)
        white[v] = rng_normal(r) * sigma / 0.375;
    for (size_t k = 0; k < NZ; k++)
        for (size_t j = 0; j < NY; j++)
            for (size_t i = 0; i < NX; i++) {
                size_t v = voxel(i, j, k);
                double left = white[i ? v - 1 : v], right = white[i + 1 < NX ? v + 1 : v];
                tmp[v] = (left + 2 * white[v] + right) / 4;
            }
    for (size_t k = 0; k < NZ; k++)
        for (size_t j = 0; j < NY; j++)
            for (size_t i = 0; i < NX; i++) {
                size_t v = voxel(i, j, k);
                double up = tmp[j ? v - NX : v], down = tmp[j + 1 < NY ? v + NX : v];
                data[v] = round(data[v] + (up + 2 * tmp[v] + down) / 4);
            }
    free(white);
    free(tmp);
    return 0;
}

static int write_case(const char *outdir, const char *case_id, const patient *p, const box *b,
                      rng *r)
{
    size_t size[3] = {NX, NY, NZ};
    double spacing[3] = {1.0, 1.0, SPACING_Z}, origin[3] = {0, 0, 0};
    rad_volume *vol = NULL;
    rad_error *err = rad_error_create();
    char path[4096];
    int ok = 0;

    if (err == NULL || rad_volume_create(size, spacing, origin, NULL, &vol, err) != RAD_OK) {
        fprintf(stderr, "make_demo_cohort: cannot create a volume: %s\n",
                err ? rad_error_message(err) : "out of memory");
        rad_error_free(err);
        return -1;
    }
    double *data = rad_volume_data_mutable(vol);
    for (size_t k = 0; k < NZ; k++)
        for (size_t j = 0; j < NY; j++)
            for (size_t i = 0; i < NX; i++)
                data[voxel(i, j, k)] = tissue_hu(p, (double)i, (double)j);
    /* normal uncalcified vessels in every case */
    for (int n = 0; n < 2; n++) {
        double a = rng_range(r, 0, 2 * M_PI), rr = p->skin_radius - 2.0 - p->fat_thickness / 2;
        draw_vessel(p, data, r, p->cx + rr * cos(a), p->cy + rr * sin(a),
                    rng_range(r, 20, 80), 25, 0.8, 40.0, 1);
    }
    if (b->label)
        add_lesion(p, b, data, r);
    if (add_noise(data, r, p->noise_hu * rng_range(r, 0.9, 1.1)) != 0) {
        fprintf(stderr, "make_demo_cohort: out of memory\n");
    } else {
        snprintf(path, sizeof path, "%s/images/%s.nii.gz", outdir, case_id);
        if (rad_volume_write(vol, path, err) != RAD_OK)
            fprintf(stderr, "make_demo_cohort: %s\n", rad_error_message(err));
        else
            ok = 1;
    }
    rad_volume_free(vol);
    rad_error_free(err);
    return ok ? 0 : -1;
}

static void make_patient(patient *p, rng *r)
{
    p->cx = 50.0 + rng_range(r, -2, 2);
    p->cy = 50.0 + rng_range(r, -2, 2);
    p->skin_radius = rng_range(r, 34, 40);
    p->fat_thickness = rng_range(r, 10, 20);
    p->bone_radius = rng_range(r, 9, 12);
    p->cortex = rng_range(r, 3, 4.5);
    p->bone_dx = rng_range(r, -4, 4);
    p->bone_dy = rng_range(r, -4, 4);
    p->skin_hu = rng_range(r, 30, 50);
    p->fat_hu = rng_range(r, -120, -80);
    p->noise_hu = rng_range(r, 8, 18);
}

/* A box centre in the middle of the fat, the 50 mm box inside the volume:
 * the angle is drawn until the centre lies within 24 mm of the volume's
 * middle in x and y. */
static void place_box(const patient *p, box *b, rng *r, double z_mm)
{
    double rr = p->skin_radius - 2.0 - p->fat_thickness / 2;
    for (;;) {
        b->angle = rng_range(r, 0, 2 * M_PI);
        b->center[0] = round(p->cx + rr * cos(b->angle));
        b->center[1] = round(p->cy + rr * sin(b->angle));
        if (fabs(b->center[0] - 49.5) <= 24 && fabs(b->center[1] - 49.5) <= 24)
            break;
    }
    b->center[2] = z_mm;
}

static int usage(void)
{
    fprintf(stderr, "usage: make_demo_cohort OUTDIR [--cases N] [--seed S]\n"
                    "  --cases N  number of boxes, 4..10000 (default 60)\n"
                    "  --seed S   seed of the generator (default 1)\n");
    return 1;
}

int main(int argc, char **argv)
{
    const char *outdir = NULL;
    long cases = 60;
    unsigned long long seed = 1;
    char path[4096];

    for (int a = 1; a < argc; a++) {
        char *end = NULL;
        if (strcmp(argv[a], "--cases") == 0 && a + 1 < argc) {
            cases = strtol(argv[++a], &end, 10);
            if (*end != '\0' || cases < 4 || cases > 10000)
                return usage();
        } else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc) {
            seed = strtoull(argv[++a], &end, 10);
            if (*end != '\0')
                return usage();
        } else if (argv[a][0] != '-' && outdir == NULL) {
            outdir = argv[a];
        } else {
            return usage();
        }
    }
    if (outdir == NULL)
        return usage();

    snprintf(path, sizeof path, "%s/images", outdir);
    if ((mkdir(outdir, 0777) != 0 && errno != EEXIST) || (mkdir(path, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "make_demo_cohort: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof path, "%s/manifest.csv", outdir);
    FILE *manifest = fopen(path, "w");
    if (manifest == NULL) {
        fprintf(stderr, "make_demo_cohort: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(manifest, "case_id,patient_id,label,group,image,box_x,box_y,box_z,box_size,"
                      "cmp_radiograph,cmp_scintigraphy\n");

    rng r = {seed};
    long written = 0;
    int patient_no = 0, failed = 0;
    while (written < cases && !failed) {
        patient p;
        long left = cases - written;
        int boxes = left <= 3 ? (int)left : (left == 4 ? 2 : 2 + (rng_uniform(&r) < 0.5));
        int with_comparators = patient_no % 3 == 0;
        patient_no++;
        make_patient(&p, &r);
        int first_label = rng_uniform(&r) < 0.5;
        for (int k = 0; k < boxes && !failed; k++) {
            box b;
            char case_id[64];
            b.label = (first_label + k) % 2;
            place_box(&p, &b, &r, 40.0 + 6.0 * k);
            snprintf(case_id, sizeof case_id, "P%03d_b%d", patient_no, k + 1);
            if (write_case(outdir, case_id, &p, &b, &r) != 0) {
                failed = 1;
                break;
            }
            fprintf(manifest, "%s,P%03d,%d,%s,images/%s.nii.gz,%.3f,%.3f,%.3f,%.0f,", case_id,
                    patient_no, b.label, b.label ? "I" : "III", case_id, b.center[0],
                    b.center[1], b.center[2], BOX_MM);
            if (with_comparators) {
                /* radiograph: sensitive, not specific; scintigraphy: the reverse */
                int radiograph = rng_uniform(&r) < (b.label ? 0.7 : 0.6);
                int scintigraphy = rng_uniform(&r) < (b.label ? 0.5 : 0.2);
                fprintf(manifest, "%d,%d\n", radiograph, scintigraphy);
            } else {
                fprintf(manifest, ",\n");
            }
            written++;
        }
    }
    if (fclose(manifest) != 0 && !failed) {
        fprintf(stderr, "make_demo_cohort: cannot write %s\n", path);
        return 1;
    }
    return failed ? 1 : 0;
}
