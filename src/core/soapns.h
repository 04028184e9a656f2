/*
 * soapns: the namespace URIs of the SOAP envelope and of the WS-* headers that soapload and
 * the mock write and read (WS-Security, its utility and XML signature and encryption,
 * WS-Addressing), spelled once.
 */
#ifndef SOAPLOAD_SOAPNS_H
#define SOAPLOAD_SOAPNS_H

#define SL_SOAP11_NS "http://schemas.xmlsoap.org/soap/envelope/"
#define SL_SOAP12_NS "http://www.w3.org/2003/05/soap-envelope"
#define SL_WSSE_NS                                                                                 \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define SL_WSU_NS                                                                                  \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define SL_DS_NS "http://www.w3.org/2000/09/xmldsig#"
#define SL_XENC_NS "http://www.w3.org/2001/04/xmlenc#"
#define SL_WSA_NS "http://www.w3.org/2005/08/addressing"

#endif
