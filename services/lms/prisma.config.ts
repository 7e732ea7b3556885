import { defineConfig } from 'prisma/config';

// Prisma 7 reads connection settings from here, not from schema.prisma. Generation needs no database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://lendstack:lendstack@127.0.0.1:5432/lendstack_lms' },
});
