/*
 * make_corpus.c - writes the seed corpora of the fuzz targets into
 * fuzz/corpus/<target>/: small valid files of each format, made here rather
 * than copied from real data. Usage: make_corpus OUTPUT_FOLDER.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "radiomics.h"

static const char *root;

static void fail(const char *operation)
{
    fprintf(stderr, "make_corpus: %s failed: %s\n", operation, strerror(errno));
    exit(1);
}

static void make_folder(const char *target)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        fail(path);
}

static void write_bytes(const char *target, const char *name, const void *data, size_t size)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fail(path);
}

static void write_text(const char *target, const char *name, const char *text)
{
    write_bytes(target, name, text, strlen(text));
}

/* A 3 x 2 x 2 volume with a rotated, anisotropic grid, written as .nii and .nii.gz. */
static void nifti_seeds(void)
{
    const size_t size[3] = {3, 2, 2};
    const double spacing[3] = {0.8, 0.8, 2.5};
    const double origin[3] = {-10, 20, 5};
    const double direction[9] = {0, 1, 0, -1, 0, 0, 0, 0, 1};
    rad_volume *v = NULL;
    char path[1024];

    make_folder("nifti");
    if (rad_volume_create(size, spacing, origin, direction, &v, NULL) != RAD_OK)
        fail("rad_volume_create");
    double *d = rad_volume_data_mutable(v);
    for (size_t i = 0; i < 12; i++)
        d[i] = -1000.0 + 150.0 * (double)i;
    snprintf(path, sizeof path, "%s/nifti/volume.nii", root);
    if (rad_volume_write(v, path, NULL) != RAD_OK)
        fail(path);
    snprintf(path, sizeof path, "%s/nifti/volume.nii.gz", root);
    if (rad_volume_write(v, path, NULL) != RAD_OK)
        fail(path);
    rad_volume_free(v);
}

/* Attached NRRD files: raw int16 in LPS, gzip float in RAS, spacings only. */
static void nrrd_seeds(void)
{
    char buf[4096];
    size_t n;
    const short voxels[8] = {-1000, -100, 0, 40, 80, 300, 700, 1200};
    const float values[4] = {0.5f, 1.5f, -2.25f, 3.0f};
    unsigned char packed[256];
    uLongf packed_size = sizeof packed;

    make_folder("nrrd");
    n = (size_t)snprintf(buf, sizeof buf,
                         "NRRD0004\n# raw int16, LPS\ntype: short\ndimension: 3\n"
                         "space: left-posterior-superior\nsizes: 2 2 2\n"
                         "space directions: (0.7,0,0) (0,0.7,0) (0,0,3)\n"
                         "kinds: domain domain domain\nendian: little\nencoding: raw\n"
                         "space origin: (-100,-120,30)\n\n");
    memcpy(buf + n, voxels, sizeof voxels);
    write_bytes("nrrd", "raw_int16_lps.nrrd", buf, n + sizeof voxels);

    /* gzip stream (windowBits 15 + 16) as NRRD's "encoding: gzip" expects. */
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        fail("deflateInit2");
    z.next_in = (Bytef *)values;
    z.avail_in = sizeof values;
    z.next_out = packed;
    z.avail_out = (uInt)packed_size;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        fail("deflate");
    packed_size = z.total_out;
    deflateEnd(&z);
    n = (size_t)snprintf(buf, sizeof buf,
                         "NRRD0005\ntype: float\ndimension: 3\nspace: RAS\nsizes: 2 2 1\n"
                         "space directions: (1,0,0) (0,1,0) (0,0,1)\nendian: little\n"
                         "encoding: gzip\nspace origin: (0,0,0)\n\n");
    memcpy(buf + n, packed, packed_size);
    write_bytes("nrrd", "gzip_float_ras.nrrd", buf, n + packed_size);

    n = (size_t)snprintf(buf, sizeof buf,
                         "NRRD0001\ntype: uchar\ndimension: 3\nsizes: 2 1 2\n"
                         "spacings: 1 2 3\nencoding: raw\nline skip: 0\nbyte skip: -1\n\n");
    memcpy(buf + n, "\x01\x02\x03\x04", 4);
    write_bytes("nrrd", "raw_uchar_spacings.nrrd", buf, n + 4);
}

static void dataset_seeds(void)
{
    make_folder("dataset_csv");
    write_text("dataset_csv", "basic.csv",
               "case_id,patient_id,label,split,group,cmp_xray,original_firstorder_Mean,"
               "original_glcm_Contrast\n"
               "c1,p1,1,train,A,0.9,12.5,3.25\n"
               "c2,p1,1,train,A,,13,2.5\n"
               "c3,p2,0,test,B,0.1,-4e-3,1e2\n"
               "c4,p3,-1,,,nan,0,inf\n");
    write_text("dataset_csv", "bom_crlf_quoted.csv",
               "\xEF\xBB\xBF" "id,label,\"f, one\",f2\r\n"
               "\"a\"\"1\",0,1.5,2\r\n"
               "b,1,-3,4.75\r\n");
}

static void table_seeds(void)
{
    make_folder("table_csv");
    write_text("table_csv", "comma.csv",
               "case_id,image,mask,label\n"
               "a1,\"img dir, one/a.nii.gz\",a_mask.nii.gz,1\n"
               "b2,b.nrrd,b_mask.nrrd,0\n");
    write_text("table_csv", "semicolon_bom_crlf.csv",
               "\xEF\xBB\xBF" "patient;age;note\r\n"
               "p1;71;\"says \"\"hi\"\"\"\r\n"
               "p2;;\r\n");
    write_text("table_csv", "tab.csv", "a\tb\tc\n1\t2\t3\n\"x\ny\"\t\t\n");
}

static void model_seeds(void)
{
    make_folder("model");
    write_text("model", "lr.model",
               "calci-model 1\nclassifier lr\nC 1\nintercept -0.5\nplatt 0 0\n"
               "threshold_high_sensitivity 0.25\nthreshold_high_specificity 0.75\n"
               "cv_auc 0.8\ncv_k_max 2\ncv_auc_k 1 0.8\ncv_auc_k 2 nan\nfeatures 2\n"
               "feature 10 2 1.5 original_firstorder_Mean\n"
               "feature -3.5 0.25 -0.75 wavelet-LLH_glcm_Contrast with space\n"
               "info extraction.bin_width 25\n# comment\n\nend\n");
    write_text("model", "svm.model",
               "calci-model 1.2\nclassifier svm\nintercept 0.125\nplatt -1.5 0.2\n"
               "features 1\nfeature 0 1 2 x\nend\n");
}

static void params_seeds(void)
{
    static const char *const pairs[] = {
        "binWidth=25", "resampledPixelSpacing=1,1,1", "resampledPixelSpacing=none",
        "interpolator=sitkBSpline", "padDistance=5", "normalize=true", "normalizeScale=100",
        "removeOutliers=3", "removeOutliers=none", "voxelArrayShift=300", "label=2",
        "geometryTolerance=1e-3", "minimumROIDimensions=2", "minimumROISize=10",
        "preCrop=false", "symmetricalGLCM=true", "distances=1,2", "gldm_a=0",
        "wavelet=coif1", "level=1", "boxAirThreshold=-500", "boxFatMin=-190",
        "boxFatMax=-30", "boxMuscleMin=-29", "boxMuscleMax=150", "boxBoneMin=300",
    };
    make_folder("params");
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char name[32], seed[128];
        int n = snprintf(seed, sizeof seed, "%c%s", i % 2 ? '\x01' : '\x00', pairs[i]);
        snprintf(name, sizeof name, "seed%02zu", i);
        write_bytes("params", name, seed, (size_t)n);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_corpus OUTPUT_FOLDER\n");
        return 2;
    }
    root = argv[1];
    if (mkdir(root, 0755) != 0 && errno != EEXIST)
        fail(root);
    nifti_seeds();
    nrrd_seeds();
    dataset_seeds();
    table_seeds();
    model_seeds();
    params_seeds();
    return 0;
}
