/* version: the one place the release number lives. */
#ifndef SOAPLOAD_VERSION_H
#define SOAPLOAD_VERSION_H

#define SL_VERSION "0.1.0"

#endif
