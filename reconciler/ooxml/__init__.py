"""The xlsx package format, shared by reading and writing: zip parts, relationships,
content types, number formats and cell marks (`parts`), and the XML text scanner
both the fast reader and the streaming writer use (`xmltext`). No openpyxl workbook
is ever loaded here.
"""
