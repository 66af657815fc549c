/* Fixture: section attribute (could place code in .text.entry etc). */
__attribute__((__section__(".init.text"))) int svc_x = 1;
