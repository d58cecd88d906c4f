/*
 * banned.h - functions that are easy to misuse, made into compile errors.
 * Use struct vl_buf (buf.h) for text building and snprintf for bounded copies.
 * Included last by vl.h, so every file that includes vl.h is covered.
 */
#ifndef VL_BANNED_H
#define VL_BANNED_H

#define VL_BANNED(func) sorry_##func##_is_banned_use_vl_buf

#undef strcpy
#define strcpy(x, y) VL_BANNED(strcpy)
#undef strcat
#define strcat(x, y) VL_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) VL_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) VL_BANNED(strncat)
#undef sprintf
#define sprintf(...) VL_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) VL_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) VL_BANNED(strtok)
#undef gets
#define gets(x) VL_BANNED(gets)

#endif
