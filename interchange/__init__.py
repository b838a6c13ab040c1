"""Importing and exporting cases (interchange.md): `import_cases` and `export_cases`.

- columns.py: the columns of each file;
- reading.py: files into rows of text, with the problems of a file's shape;
- validating.py: each row's rules, into typed rows;
- importing.py: the rules across rows and against the product, then all or nothing;
- writing.py: bulk writes with history, and the deadlines of an imported record;
- exporting.py: the JSON Lines export, also used to compare a row with a record.
"""
