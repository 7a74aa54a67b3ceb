/* calci_export.h - symbol visibility for libcalci. */
#ifndef CALCI_EXPORT_H
#define CALCI_EXPORT_H

/* The library is built with -fvisibility=hidden; CALCI_API marks the public
 * functions, which the version script lib/calci.map then versions. */
#if defined(CALCI_BUILDING_LIBRARY) && defined(__GNUC__)
#define CALCI_API __attribute__((visibility("default")))
#else
#define CALCI_API
#endif

#endif /* CALCI_EXPORT_H */
