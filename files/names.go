package files

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"
)

// extensions are the name extensions of each type files.Sniff accepts; a name with none of its type's gets the
// first. An uploader chooses the name, the content chooses the type: "x.html" holding a PDF is saved as x.pdf.
var extensions = map[string][]string{
	"application/pdf": {".pdf"}, "image/png": {".png"}, "image/jpeg": {".jpg", ".jpeg"}, "image/gif": {".gif"},
	"image/webp": {".webp"}, "application/vnd.openxmlformats-officedocument": {".docx", ".xlsx", ".pptx"},
	"application/x-ole-storage": {".doc", ".xls", ".ppt"},
}

// DownloadName is a file's name made safe to save: no path, no control or invisible formatting characters (a
// right-to-left override can disguise an extension), none that Windows forbids, and the extension of its type.
func DownloadName(name, contentType string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`<>:"/\|?*`, r):
			return '_'
		}
		return r
	}, strings.ToValidUTF8(CleanName(name), ""))
	exts := extensions[contentType]
	if len(exts) == 0 {
		exts = []string{".bin"}
	}
	ext := path.Ext(name)
	if slices.Contains(exts, strings.ToLower(ext)) {
		return name
	}
	base := strings.Trim(strings.TrimSuffix(name, ext), ". ")
	if base == "" {
		base = "file"
	}
	return base + exts[0]
}

// Attachment is a Content-Disposition for name: an ASCII filename for old clients and the exact name as an RFC 5987
// filename*.
func Attachment(name string) string {
	var ascii, encoded strings.Builder
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			r = '_'
		}
		ascii.WriteRune(r)
	}
	for _, b := range []byte(name) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' ||
			strings.IndexByte("!#$&+-.^_`|~", b) >= 0) {
			encoded.WriteByte(b)
			continue
		}
		fmt.Fprintf(&encoded, "%%%02X", b)
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii.String(), encoded.String())
}

// CleanName keeps a display name without path parts or control characters.
func CleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}
