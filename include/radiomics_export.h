/* radiomics_export.h - symbol visibility for libradiomics. */
#ifndef RADIOMICS_EXPORT_H
#define RADIOMICS_EXPORT_H

/* The library is built with -fvisibility=hidden; RAD_API marks the public
 * functions, which the version script lib/radiomics.map then versions. */
#if defined(RAD_BUILDING_LIBRARY) && defined(__GNUC__)
#define RAD_API __attribute__((visibility("default")))
#else
#define RAD_API
#endif

#endif /* RADIOMICS_EXPORT_H */
