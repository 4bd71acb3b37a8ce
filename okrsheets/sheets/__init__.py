"""What people see, backend-neutral: the team workbook spec and the shapes it is built from."""
