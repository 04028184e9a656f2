/*
 * wsse_decrypt: XML Encryption parts decrypted with xmlsec (see wsse_decrypt.h). The key sits
 * in a keys manager that each decryption only reads.
 */
#include "core/wsse_decrypt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "core/soapns.h"
#include "core/wsse_verify.h"

struct sl_wsse_decrypter {
    xmlSecKeysMngrPtr keys;
};

/* Whether the file starts with a PEM line (else it is taken for PKCS#12). */
static int is_pem_file(const char *path)
{
    char head[16] = "";
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL ? fread(head, 1, sizeof(head) - 1, f) : 0;
    if (f != NULL)
        fclose(f);
    head[n] = '\0';
    return strstr(head, "-----") != NULL;
}

sl_wsse_decrypter_t *sl_wsse_decrypt_open(const char *key_path, const char *password,
                                          const char *flag, char *err, size_t errlen)
{
    sl_wsse_decrypter_t *d = calloc(1, sizeof(*d));
    if (d == NULL || sl_xmlsec_acquire() != 0) {
        snprintf(err, errlen, "cannot initialise xmlsec");
        free(d);
        return NULL;
    }
    xmlSecKeyPtr key = xmlSecCryptoAppKeyLoad(
        key_path, is_pem_file(key_path) ? xmlSecKeyDataFormatPem : xmlSecKeyDataFormatPkcs12,
        password, NULL, NULL);
    if ((d->keys = xmlSecKeysMngrCreate()) == NULL || key == NULL ||
        xmlSecCryptoAppDefaultKeysMngrInit(d->keys) < 0 ||
        xmlSecCryptoAppDefaultKeysMngrAdoptKey(d->keys, key) < 0) {
        if (key != NULL)
            xmlSecKeyDestroy(key);
        snprintf(err, errlen, "%s %s: no private key xmlsec can use", flag, key_path);
        sl_wsse_decrypt_close(d);
        return NULL;
    }
    return d;
}

void sl_wsse_decrypt_close(sl_wsse_decrypter_t *d)
{
    if (d == NULL)
        return;
    if (d->keys != NULL)
        xmlSecKeysMngrDestroy(d->keys);
    free(d);
    sl_xmlsec_release();
}

static int write_out(void *ctx, const char *p, int n)
{
    return sl_buf_append(ctx, p, (size_t)n) == 0 ? n : -1;
}

static int close_out(void *ctx)
{
    (void)ctx;
    return 0;
}

/* The element under n whose Id (plain or wsu:) is id. */
static xmlNodePtr by_id(xmlNodePtr n, const char *id)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
            if (strcmp((const char *)a->name, "Id") == 0 && a->children != NULL &&
                a->children->content != NULL && strcmp((const char *)a->children->content, id) == 0)
                return n;
        xmlNodePtr found = by_id(n->children, id);
        if (found != NULL)
            return found;
    }
    return NULL;
}

/* The WS-Security layout: an EncryptedKey (in the wsse:Security header) whose ReferenceList
 * names the EncryptedData it opens. Decrypts the session key with d's key, then each one named.
 * Returns how many EncryptedData it decrypted, or -1 with why. */
static int decrypt_by_key(const sl_wsse_decrypter_t *d, xmlDocPtr x, xmlNodePtr ek, char *why,
                          size_t whylen)
{
    xmlNodePtr list = xmlSecFindChild(ek, BAD_CAST "ReferenceList", xmlSecEncNs);
    xmlSecEncCtx ctx;
    if (list == NULL)
        return 0; /* XML Encryption's own layout: its EncryptedData are handled below */
    if (xmlSecEncCtxInitialize(&ctx, d->keys) < 0) {
        snprintf(why, whylen, "xmlsec cannot make a context");
        return -1;
    }
    ctx.mode = xmlEncCtxModeEncryptedKey;
    xmlSecBufferPtr key = xmlSecEncCtxDecryptToBuffer(&ctx, ek);
    xmlSecKeyPtr session = key != NULL
                               ? xmlSecKeyReadMemory(xmlSecKeyDataAesId, xmlSecBufferGetData(key),
                                                     xmlSecBufferGetSize(key))
                               : NULL;
    xmlSecEncCtxFinalize(&ctx);
    if (session == NULL) {
        snprintf(why, whylen, "cannot decrypt the EncryptedKey (encrypted to another key?)");
        return -1;
    }
    int n = 0;
    for (xmlNodePtr r = list->children; r != NULL; r = r->next) {
        if (r->type != XML_ELEMENT_NODE ||
            !xmlSecCheckNodeName(r, BAD_CAST "DataReference", xmlSecEncNs))
            continue;
        xmlChar *uri = xmlGetProp(r, BAD_CAST "URI");
        xmlNodePtr ed = uri != NULL && uri[0] == '#'
                            ? by_id(xmlDocGetRootElement(x), (const char *)uri + 1)
                            : NULL;
        xmlFree(uri);
        if (ed == NULL || !xmlSecCheckNodeName(ed, xmlSecNodeEncryptedData, xmlSecEncNs)) {
            snprintf(why, whylen, "a DataReference names no EncryptedData");
            n = -1;
            break;
        }
        if (xmlSecEncCtxInitialize(&ctx, NULL) < 0 ||
            (ctx.encKey = xmlSecKeyDuplicate(session)) == NULL ||
            xmlSecEncCtxDecrypt(&ctx, ed) < 0 || !ctx.resultReplaced) {
            snprintf(why, whylen, "cannot decrypt the EncryptedData with the EncryptedKey's key");
            xmlSecEncCtxFinalize(&ctx);
            n = -1;
            break;
        }
        xmlSecEncCtxFinalize(&ctx);
        n++;
    }
    xmlSecKeyDestroy(session);
    return n;
}

int sl_wsse_decrypt(const sl_wsse_decrypter_t *d, const char *doc, size_t len, sl_buf_t *out,
                    char *why, size_t whylen)
{
    if (memmem(doc, len, SL_XENC_NS, strlen(SL_XENC_NS)) == NULL)
        return 0; /* nothing encrypted: not parsed at all */
    xmlDocPtr x =
        len <= 0x7fffffff ? xmlReadMemory(doc, (int)len, NULL, NULL, XML_PARSE_NONET) : NULL;
    xmlNodePtr root = x != NULL ? xmlDocGetRootElement(x) : NULL, ed;
    int n = 0, rc = 0;
    xmlNodePtr ek = root;
    while (root != NULL && rc == 0 &&
           (ek = xmlSecFindNode(root, xmlSecNodeEncryptedKey, xmlSecEncNs)) != NULL) {
        int got = decrypt_by_key(d, x, ek, why, whylen);
        if (got < 0)
            rc = -1;
        if (got <= 0) /* failed, or XML Encryption's layout (inside an EncryptedData) */
            break;
        n += got;
        xmlUnlinkNode(ek); /* done with: not met again, and no reader after us needs it */
        xmlFreeNode(ek);
    }
    while (rc == 0 && root != NULL &&
           (ed = xmlSecFindNode(root, xmlSecNodeEncryptedData, xmlSecEncNs)) != NULL) {
        xmlSecEncCtx ctx;
        if (xmlSecEncCtxInitialize(&ctx, d->keys) < 0) {
            snprintf(why, whylen, "xmlsec cannot make a context");
            rc = -1;
            break;
        }
        if (xmlSecEncCtxDecrypt(&ctx, ed) < 0 || !ctx.resultReplaced) {
            snprintf(why, whylen, "cannot decrypt the EncryptedData (encrypted to another key?)");
            rc = -1;
        }
        xmlSecEncCtxFinalize(&ctx);
        n++;
    }
    if (rc == 0 && n > 0) {
        sl_buf_clear(out);
        xmlSaveCtxtPtr save = xmlSaveToIO(write_out, close_out, out, "UTF-8", XML_SAVE_NO_DECL);
        if (save == NULL || xmlSaveDoc(save, x) < 0) {
            snprintf(why, whylen, "out of memory writing the decrypted message");
            rc = -1;
        }
        if (save != NULL)
            xmlSaveClose(save);
    }
    if (root == NULL) {
        snprintf(why, whylen, "the message is not well-formed XML");
        rc = -1;
    }
    xmlFreeDoc(x);
    return rc < 0 ? -1 : n > 0;
}
