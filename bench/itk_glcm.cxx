/*
 * itk_glcm.cxx - ITK's co-occurrence matrices of a grey-level block, timed
 * for `make bench` (bench/bench.c runs this program).
 *
 *   itk_glcm LEVELS NX NY NZ N_LEVELS REPEATS MATRICES
 *
 * LEVELS is a raw file of NX * NY * NZ native-endian int32 grey levels in
 * 1..N_LEVELS, x varying fastest. The program takes the 13 offsets of
 * Chebyshev distance 1 (one of each +/- pair). For each, it runs
 * itk::Statistics::ScalarImageToCooccurrenceMatrixFilter with that single
 * offset and N_LEVELS bins of width 1 over [1, N_LEVELS + 1), so each level
 * has its own bin. One repetition is the 13 filter updates. The program
 * prints the median process CPU time of REPEATS repetitions in seconds on
 * stdout. It writes the 13 matrices of one more, untimed pass to MATRICES,
 * one line per offset. Each line is "dx dy dz" and then the N_LEVELS^2
 * counts in row-major order, with the centre voxel's level as row. The filter counts each pair in
 * both orders, so every matrix is symmetric.
 *
 * Exit status 0 on success, 1 with a message on stderr otherwise.
 */
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "itkImage.h"
#include "itkMultiThreaderBase.h"
#include "itkScalarImageToCooccurrenceMatrixFilter.h"

namespace
{
using PixelType = short;
using ImageType = itk::Image<PixelType, 3>;
using FilterType = itk::Statistics::ScalarImageToCooccurrenceMatrixFilter<ImageType>;

/* CPU time of the whole process (s), so that any worker thread ITK starts is counted. */
double process_cpu_seconds()
{
    timespec t;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/* Parses a positive integer argument, or returns -1 when it is not one. */
long parse_positive(const char *text)
{
    char *end = nullptr;

    errno = 0;
    long value = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value <= 0)
        return -1;
    return value;
}
} // namespace

int main(int argc, char **argv)
{
    if (argc != 8) {
        std::fprintf(stderr,
                     "usage: itk_glcm LEVELS NX NY NZ N_LEVELS REPEATS MATRICES\n"
                     "  LEVELS: raw int32 grey levels in 1..N_LEVELS, x fastest\n");
        return 1;
    }
    long size[3], n_levels = parse_positive(argv[5]), repeats = parse_positive(argv[6]);
    for (int a = 0; a < 3; a++)
        size[a] = parse_positive(argv[2 + a]);
    if (size[0] < 0 || size[1] < 0 || size[2] < 0 || n_levels < 0 || n_levels > 4096 ||
        repeats < 0) {
        std::fprintf(stderr, "itk_glcm: invalid size, level count or repeat count, expected "
                             "positive integers and at most 4096 levels\n");
        return 1;
    }

    std::size_t count = static_cast<std::size_t>(size[0] * size[1] * size[2]);
    std::vector<std::int32_t> levels(count);
    std::FILE *in = std::fopen(argv[1], "rb");
    if (in == nullptr) {
        std::fprintf(stderr, "itk_glcm: cannot open %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    std::size_t read = std::fread(levels.data(), sizeof levels[0], count, in);
    std::fclose(in);
    if (read != count) {
        std::fprintf(stderr, "itk_glcm: %s has %zu grey levels, expected %zu\n", argv[1], read,
                     count);
        return 1;
    }

    /* One thread, like the single-thread timing of the library it is compared with. */
    itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(1);
    ImageType::Pointer image = ImageType::New();
    ImageType::RegionType region;
    ImageType::SizeType region_size;
    for (int a = 0; a < 3; a++)
        region_size[a] = static_cast<itk::SizeValueType>(size[a]);
    region.SetSize(region_size);
    image->SetRegions(region);
    image->Allocate();
    PixelType *pixels = image->GetBufferPointer();
    for (std::size_t v = 0; v < count; v++) {
        if (levels[v] < 1 || levels[v] > n_levels) {
            std::fprintf(stderr, "itk_glcm: invalid grey level %d at voxel %zu, expected 1 to %ld\n",
                         levels[v], v, n_levels);
            return 1;
        }
        pixels[v] = static_cast<PixelType>(levels[v]);
    }

    std::vector<ImageType::OffsetType> offsets;
    for (int dz = -1; dz <= 1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                /* Keep the offset whose first non-zero component, in the order z, y, x,
                 * is positive. */
                int first = dz != 0 ? dz : (dy != 0 ? dy : dx);
                if (first <= 0)
                    continue;
                ImageType::OffsetType offset;
                offset[0] = dx;
                offset[1] = dy;
                offset[2] = dz;
                offsets.push_back(offset);
            }

    FilterType::Pointer filter = FilterType::New();
    filter->SetInput(image);
    filter->SetNumberOfBinsPerAxis(static_cast<unsigned int>(n_levels));
    filter->SetPixelValueMinMax(1, static_cast<PixelType>(n_levels));
    filter->SetNormalize(false);

    std::vector<double> times;
    std::vector<std::vector<unsigned long long>> matrices(offsets.size());
    try {
        for (long r = 0; r < repeats; r++) {
            double start = process_cpu_seconds();
            for (const ImageType::OffsetType &offset : offsets) {
                filter->SetOffset(offset);
                filter->Update();
            }
            times.push_back(process_cpu_seconds() - start);
        }
        /* One more, untimed pass copies each offset's matrix out. */
        FilterType::HistogramType::IndexType index(2);
        for (std::size_t o = 0; o < offsets.size(); o++) {
            filter->SetOffset(offsets[o]);
            filter->Update();
            const FilterType::HistogramType *histogram = filter->GetOutput();
            matrices[o].resize(static_cast<std::size_t>(n_levels * n_levels));
            for (long i = 0; i < n_levels; i++)
                for (long j = 0; j < n_levels; j++) {
                    index[0] = static_cast<itk::IndexValueType>(i);
                    index[1] = static_cast<itk::IndexValueType>(j);
                    matrices[o][static_cast<std::size_t>(i * n_levels + j)] =
                        histogram->GetFrequency(index);
                }
        }
    } catch (const itk::ExceptionObject &e) {
        std::fprintf(stderr, "itk_glcm: ITK failed: %s\n", e.GetDescription());
        return 1;
    }

    std::FILE *out = std::fopen(argv[7], "w");
    if (out == nullptr) {
        std::fprintf(stderr, "itk_glcm: cannot create %s: %s\n", argv[7], std::strerror(errno));
        return 1;
    }
    for (std::size_t o = 0; o < offsets.size(); o++) {
        std::fprintf(out, "%ld %ld %ld", static_cast<long>(offsets[o][0]),
                     static_cast<long>(offsets[o][1]), static_cast<long>(offsets[o][2]));
        for (unsigned long long c : matrices[o])
            std::fprintf(out, " %llu", c);
        std::fprintf(out, "\n");
    }
    if (std::fclose(out) != 0) {
        std::fprintf(stderr, "itk_glcm: cannot write %s\n", argv[7]);
        return 1;
    }

    std::sort(times.begin(), times.end());
    std::size_t n = times.size();
    double median = n % 2 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    std::printf("%.9f\n", median);
    return 0;
}
