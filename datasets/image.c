/*
 * image.c - image references: resolving them safely under the task's image
 * folder, and reading width and height from the file header.
 */
#include "datasets/dataset.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>

int vl_image_resolve(const char *image_dir, const char *ref, struct vl_buf *out,
		     struct vl_buf *err)
{
	const char *p = ref;

	if (!ref || !*ref) {
		vl_buf_adds(err, "empty image reference");
		return VL_EINVAL;
	}
	if (ref[0] == '/') {
		vl_buf_addf(err, "image reference '%s' is an absolute path; "
			    "references must stay inside the image folder", ref);
		return VL_EINVAL;
	}
	/* lexical check: no ".." component anywhere */
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			vl_buf_addf(err, "image reference '%s' escapes the image folder ('..')", ref);
			return VL_EINVAL;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	vl_path_join(out, image_dir, ref);
	/* a symlink may still point outside: compare real paths when it exists */
	{
		char real_dir[PATH_MAX], real_file[PATH_MAX];
		if (image_dir && *image_dir && realpath(image_dir, real_dir) &&
		    realpath(vl_buf_str(out), real_file)) {
			size_t n = strlen(real_dir);
			if (strncmp(real_file, real_dir, n) != 0 ||
			    (real_file[n] != '/' && real_file[n] != '\0')) {
				vl_buf_addf(err, "image reference '%s' resolves outside the image "
					    "folder (symlink to '%s')", ref, real_file);
				return VL_EINVAL;
			}
		}
	}
	return 0;
}

int vl_image_size(const char *path, int *w, int *h, struct vl_buf *err)
{
	int comp;

	if (!stbi_info(path, w, h, &comp)) {
		struct stat st;
		if (stat(path, &st) != 0)
			vl_buf_addf(err, "cannot open image '%s': %s", path, strerror(errno));
		else
			vl_buf_addf(err, "cannot read image header of '%s': %s", path,
				    stbi_failure_reason());
		return VL_EINVAL;
	}
	return 0;
}
